-- One row per value cell of an accepted file that is currently in raw/.
with source as (
    select * from {{ source('raw', 'observations') }}
),

present as (
    select operation_id, file_id, file_name
    from {{ ref('stg_raw__submissions') }}
    where is_present and submission_status = 'accepted'
),

renamed as (
    select
        md5(source.operation_id || '|' || source.file_id || '|' || sheet_name || '|' || cell_ref)
            as observation_id,
        source.operation_id,
        source.file_id,
        present.file_name,
        sheet_name,
        cell_ref,
        row_number,
        column_number,
        layout,
        table_index,
        row_label,
        column_label,
        measure_labels,
        context_labels,
        period_text,
        period_date,
        is_total,
        raw_text,
        value_number,
        value_status,
        nullif(trim(unit_text), '') as unit_text,
        total_of,
        value_decimals,
        period_cell_ref,
        unit_cell_ref,
        coalesce(counted_as, 'value') as counted_as,
        coalesce(template_hints, []) as template_hints,
        part_of
    from source
    inner join present using (operation_id, file_id)
)

select * from renamed
