select
    operation_id,
    file_id,
    sheet_name,
    cell_ref,
    row_number,
    column_number,
    raw_text,
    cell_type
from {{ source('raw', 'cells') }}
