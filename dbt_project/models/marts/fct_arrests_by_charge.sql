-- One row per operation, country and charge: arrests the country attributes to the charge.
select
    operation_id,
    country_code,
    charge_code,
    sum(value) as arrests,
    count(*) as source_cells,
    string_agg(distinct file_name, ', ') as source_file,
    string_agg(distinct sheet_name, ', ') as source_sheet,
    string_agg(cell_ref, ',' order by sheet_name, row_number, column_number) as source_cell
from {{ ref('int_country_figures') }}
where is_breakdown and is_finest_grain and metric_code = 'arrests' and {{ in_scope() }}
group by operation_id, country_code, charge_code
