"""Command line: `python -m corpus seed | synthetic | fault KIND | hostile`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from corpus.faults import KINDS, write_fault
from corpus.hostile import write_hostile
from corpus.seed import write_seed
from corpus.synthetic import write_synthetic


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m corpus",
        description="Deterministic corpus of JAD submissions and their ground truth.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    seed = sub.add_parser(
        "seed", help="write the seed operation 2020-09-se-europe-jad (submissions + truth)"
    )
    seed.add_argument(
        "--raw-dir", type=Path, default=Path("raw"), help="holds <operation_id>/operation.yaml"
    )
    seed.add_argument("--truth-dir", type=Path, default=Path("tests/fixtures/ground_truth"))

    synthetic = sub.add_parser("synthetic", help="write synthetic operations for the benchmark")
    synthetic.add_argument("--operations", type=int, required=True)
    synthetic.add_argument("--out", type=Path, required=True)
    synthetic.add_argument("--seed", type=int, default=0)
    synthetic.add_argument("--countries", type=int, default=12)
    synthetic.add_argument(
        "--days",
        type=int,
        default=4,
        help="days per operation (at most 254: a legacy xls has 256 columns)",
    )

    fault = sub.add_parser("fault", help="write the seed operation with exactly one thing wrong")
    fault.add_argument("kind", choices=KINDS)
    fault.add_argument("--out", type=Path, required=True)
    fault.add_argument("--raw-dir", type=Path, default=Path("raw"))

    hostile = sub.add_parser(
        "hostile", help="write the hostile files and the quarantine reason each must get"
    )
    hostile.add_argument("--out", type=Path, default=Path("tests/fixtures/hostile"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "seed":
        written, truth = write_seed(args.raw_dir, args.truth_dir)
        print(f"wrote {len(written)} submissions to {written[0].parent} and the truth to {truth}")
    elif args.command == "synthetic":
        ids = write_synthetic(
            args.out, args.operations, seed=args.seed, countries=args.countries, days=args.days
        )
        print(f"wrote {len(ids)} synthetic operations to {args.out}: {', '.join(ids)}")
    elif args.command == "hostile":
        expected = write_hostile(args.out)
        (args.out / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
        print(f"wrote {len(expected)} hostile files and expected.json to {args.out}")
    else:
        print(
            json.dumps(write_fault(args.kind, args.out, args.raw_dir), ensure_ascii=False, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
