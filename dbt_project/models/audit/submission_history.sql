-- One row per file ever landed for an operation: whether it counts now, and why not.
with submissions as (
    select * from {{ ref('stg_raw__submissions') }}
    where {{ in_scope() }}
),

ranked as (
    select operation_id, file_id, precedence_rank, is_participant
    from {{ ref('int_submissions_ranked') }}
),

used as (
    select operation_id, file_id, count(*) as figures_used
    from {{ ref('int_country_figures') }}
    where is_finest_grain
    group by operation_id, file_id
)

select
    submissions.operation_id,
    submissions.file_id,
    submissions.file_name,
    submissions.relative_path,
    submissions.country_code,
    submissions.country_evidence,
    submissions.report_date,
    submissions.content_version,
    submissions.name_version,
    submissions.file_format,
    submissions.encoding,
    submissions.first_seen_at,
    submissions.loaded_at,
    ranked.precedence_rank,
    coalesce(used.figures_used, 0) as figures_used,
    case
        when not submissions.is_present then 'absent'
        when submissions.submission_status = 'rejected' then 'rejected'
        when not ranked.is_participant then 'not_a_participant'
        when coalesce(used.figures_used, 0) = 0 and ranked.precedence_rank > 1 then 'superseded'
        when coalesce(used.figures_used, 0) = 0 then 'no_figures'
        when ranked.precedence_rank > 1 then 'partly_superseded'
        else 'current'
    end as file_status
from submissions
left join ranked using (operation_id, file_id)
left join used using (operation_id, file_id)
