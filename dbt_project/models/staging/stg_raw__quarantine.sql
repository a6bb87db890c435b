with source as (
    select * from {{ source('raw', 'quarantine') }}
)

select
    operation_id,
    file_id,
    file_name,
    sheet_name,
    cell_ref,
    reason_code,
    message,
    raw_text,
    coalesce(subject, raw_text) as subject,
    detected_at
from source
