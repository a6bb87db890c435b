select
    operation_id,
    file_id,
    sheet_name,
    cell_ref,
    rule as ignore_rule
from {{ source('raw', 'ignored_cells') }}
