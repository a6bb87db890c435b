-- Files currently in raw/ (a file that left raw/ stays in history, marked absent).
with source as (
    select * from {{ source('raw', 'submissions') }}
),

renamed as (
    select
        operation_id,
        file_id,
        file_name,
        relative_path,
        size_bytes,
        status as submission_status,
        format as file_format,
        encoding,
        delimiter,
        language,
        decimal_separator,
        date_order,
        country_code,
        country_evidence,
        report_date,
        content_version,
        name_version,
        sheets,
        non_empty_cells,
        observations as observation_count,
        ignored_cells as ignored_cell_count,
        quarantined as quarantined_count,
        is_present,
        first_seen_at,
        loaded_at,
        reader_version
    from source
)

select * from renamed
