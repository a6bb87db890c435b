with source as (
    select * from {{ source('raw', 'published_figures') }}
),

renamed as (
    select
        operation_id,
        figure_number,
        metric_code,
        charge_code,
        published_value,
        qualifier,
        scope
    from source
)

select * from renamed
