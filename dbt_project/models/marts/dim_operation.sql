with operations as (
    select * from {{ ref('stg_raw__operations') }}
    where {{ in_scope() }}
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
    participants.participants
from operations
left join participants using (operation_id)
