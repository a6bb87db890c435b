-- One row per source of an operation's published figures. An operation landed before
-- manifests named their sources has one: its `published_source`, primary.
with source as (
    select * from {{ source('raw', 'published_sources') }}
),

operations as (
    select * from {{ source('raw', 'operations') }}
),

legacy as (
    -- figures landed without their source: the operation's one source, primary
    select distinct figures.operation_id
    from {{ source('raw', 'published_figures') }} as figures
    where figures.source_number is null
),

renamed as (
    select
        operation_id,
        source_number,
        source,
        publisher,
        published_date,
        url as source_url,
        is_primary,
        countries_named,
        note
    from source
    union all
    select
        legacy.operation_id,
        1 as source_number,
        coalesce(operations.published_source, 'published figures') as source,
        cast(null as varchar) as publisher,
        cast(null as date) as published_date,
        cast(null as varchar) as source_url,
        true as is_primary,
        cast(null as varchar[]) as countries_named,
        cast(null as varchar) as note
    from legacy
    left join operations using (operation_id)
    where legacy.operation_id not in (select operation_id from source)
)

select * from renamed
