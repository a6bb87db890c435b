"""`adapter` for sqlfluff, which renders the dbt models with Jinja alone (.sqlfluff).

dbt's `adapter.dispatch('label_key', 'jad_warehouse')` picks `duckdb__label_key` when the
project defines one, else `default__label_key`; here it does the same among the macros that
sqlfluff loaded from dbt_project/macros, so that the linted SQL is the SQL dbt runs.
"""

from jinja2 import pass_context


@pass_context
def dispatch(context, macro_name, macro_namespace=None):
    for prefix in ("duckdb__", "default__"):
        macro = context.get(prefix + macro_name)
        if macro is not None:
            return macro
    raise KeyError(f"no duckdb__ or default__ implementation of {macro_name}")
