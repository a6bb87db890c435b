select
    operation_id,
    file_id,
    sheet_index,
    sheet_name,
    n_rows,
    n_columns,
    non_empty_cells,
    tables,
    form_pairs
from {{ source('raw', 'sheets') }}
