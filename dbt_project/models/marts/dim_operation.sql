with operations as (
    select * from {{ ref('stg_raw__operations') }}
    where {{ in_scope() }}
),

sources as (
    select operation_id, count(*) as published_sources
    from {{ ref('stg_raw__published_sources') }}
    group by operation_id
),

files as (
    select operation_id, count(*) filter (where is_present) as files_present
    from {{ ref('stg_raw__submissions') }}
    group by operation_id
),

participants as (
    select operation_id, count(*) as participant_count, array_agg(country_code order by country_code) as participants
    from {{ ref('stg_raw__participants') }}
    group by operation_id
)

select
    operations.operation_id,
    operations.operation_name,
    operations.start_date,
    operations.end_date,
    operations.duration_days,
    operations.lead_agency,
    operations.coordinated_by,
    operations.supported_by,
    operations.published_source,
    coalesce(participants.participant_count, 0) as participant_count,
    participants.participants,
    coalesce(sources.published_sources, 0) as published_sources,
    coalesce(files.files_present, 0) as files_present,
    case when coalesce(files.files_present, 0) = 0 then 'no submissions' else 'submitted' end
        as submission_status
from operations
left join participants using (operation_id)
left join sources using (operation_id)
left join files using (operation_id)
