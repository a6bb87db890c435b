-- One row per accepted file in raw/ with a known sender, ranked among the files of the same
-- operation and country: precedence_rank 1 is the latest. "Later" comes from the files
-- themselves: the report date, then the version stated in the content, then a
-- version marker in the file name, and only then when the warehouse first saw the file.
with submissions as (
    select *
    from {{ ref('stg_raw__submissions') }}
    where is_present and submission_status = 'accepted' and country_code is not null
        and {{ in_scope() }}
),

participants as (
    select * from {{ ref('stg_raw__participants') }}
),

pairs as (
    select
        a.operation_id,
        a.file_id,
        b.file_id as other_file_id,
        case
            when a.report_date is not null and b.report_date is not null
                and a.report_date <> b.report_date then a.report_date < b.report_date
            when a.content_version is not null and b.content_version is not null
                and a.content_version <> b.content_version
                then a.content_version < b.content_version
            when a.name_version <> b.name_version then a.name_version < b.name_version
            when a.first_seen_at <> b.first_seen_at then a.first_seen_at < b.first_seen_at
            else a.file_name < b.file_name
        end as is_older_than_other
    from submissions as a
    inner join submissions as b
        on a.operation_id = b.operation_id
        and a.country_code = b.country_code
        and a.file_id <> b.file_id
),

newer_counts as (
    select operation_id, file_id, count(*) filter (where is_older_than_other) as newer_files
    from pairs
    group by operation_id, file_id
)

select
    submissions.operation_id,
    submissions.file_id,
    submissions.file_name,
    submissions.country_code,
    submissions.report_date,
    submissions.content_version,
    submissions.name_version,
    submissions.first_seen_at,
    participants.country_code is not null as is_participant,
    1 + coalesce(newer_counts.newer_files, 0) as precedence_rank
from submissions
left join newer_counts using (operation_id, file_id)
left join participants using (operation_id, country_code)
