-- One row per operation, country, day (NULL: the whole operation) and metric: what the
-- country reported, traced to the cells it came from.
with figures as (
    select * from {{ ref('int_country_figures') }}
    where counts_in_figure and {{ in_scope() }}
),

metrics as (
    select metric_code, unit_code from {{ ref('metrics') }}
)

select
    figures.operation_id,
    figures.country_code,
    figures.period_date as report_date,
    figures.metric_code,
    sum(figures.value) as value,
    metrics.unit_code as unit,
    -- how the figure was made from its cells (docs/architecture.md, "Every figure says how")
    case
        when bool_and(figures.counted_as = 'record') then 'count_of_rows'
        when bool_and(figures.is_breakdown) and count(*) > 1 then 'sum_of_charges'
        when bool_or(figures.counted_as = 'quantity') then 'sum_of_quantities'
        when count(*) = 1 then 'one_cell'
        else 'sum_of_cells'
    end as derivation,
    {{ distinct_list_text('figures.template_hints') }} as template_hints,
    count(*) as source_cells,
    string_agg(distinct figures.file_name, ', ') as source_file,
    string_agg(distinct figures.sheet_name, ', ') as source_sheet,
    string_agg(figures.cell_ref, ',' order by figures.sheet_name, figures.row_number, figures.column_number)
        as source_cell,
    min(figures.file_id) as source_file_id
from figures
inner join metrics using (metric_code)
group by figures.operation_id, figures.country_code, figures.period_date, figures.metric_code, metrics.unit_code
