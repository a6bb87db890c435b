with source as (
    select * from {{ source('raw', 'operations') }}
),

renamed as (
    select
        operation_id,
        name as operation_name,
        start_date,
        end_date,
        {{ dbt.datediff('start_date', 'end_date', 'day') }} + 1 as duration_days,
        lead as lead_agency,
        coordinated_by,
        supported_by,
        published_source,
        manifest_path,
        manifest_sha256,
        loaded_at
    from source
)

select * from renamed
