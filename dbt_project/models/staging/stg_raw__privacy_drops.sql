select
    operation_id,
    file_id,
    sheet_name,
    column_letter,
    header_text,
    values_dropped,
    detected_by
from {{ source('raw', 'privacy_drops') }}
