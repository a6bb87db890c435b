-- One row per figure a published source gives. Figures landed before manifests named their
-- sources belong to the operation's one source (stg_raw__published_sources).
with source as (
    select * from {{ source('raw', 'published_figures') }}
),

sources as (
    select operation_id, source_number, source as source_name
    from {{ ref('stg_raw__published_sources') }}
),

renamed as (
    select
        source.operation_id,
        source.figure_number,
        coalesce(source.source_number, 1) as source_number,
        coalesce(source.source, sources.source_name) as source,
        source.metric_code,
        source.charge_code,
        source.published_value,
        source.qualifier,
        source.scope
    from source
    left join sources
        on sources.operation_id = source.operation_id
        and sources.source_number = coalesce(source.source_number, 1)
)

select * from renamed
