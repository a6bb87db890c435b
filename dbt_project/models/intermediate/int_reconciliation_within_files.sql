-- Within a file: one row per TOTAL cell of a file that counts, the file's own total against
-- the sum of the detail cells it totals (same table; same column for a TOTAL row, same row
-- for a TOTAL column). Compared in the unit as written, within the rounding the file shows:
-- the total's own last digit, plus, for measures (kg, not counts), the rounding of each part
-- (n parts written to d decimals may add up to n x 0.5 x 10^-d away from a total computed
-- before rounding: pounds converted to kilograms day by day).
with observations as (
    select * from {{ ref('int_observations_mapped') }}
    where {{ in_scope() }}
),

used_files as (
    select distinct operation_id, file_id, country_code, file_name
    from {{ ref('int_country_figures') }}
),

totals as (
    select observations.*, used_files.country_code
    from observations
    inner join used_files using (operation_id, file_id)
    where observations.is_total and observations.value_number is not null
),

details as (
    select * from observations where not is_total
),

compared as (
    select
        totals.operation_id,
        totals.country_code,
        totals.file_name,
        totals.sheet_name,
        totals.cell_ref,
        totals.metric_code,
        totals.charge_code,
        totals.value_number as total_value,
        0.5 * power(10, -coalesce(totals.value_decimals, 0))
        + coalesce(sum(
            case when details.metric_dimension <> 'count'
                then 0.5 * power(10, -coalesce(details.value_decimals, 0)) else 0 end
        ), 0) as tolerance,
        coalesce(sum(details.value_number), 0) as detail_sum,
        string_agg(details.cell_ref, ',' order by details.row_number, details.column_number)
            as detail_cells
    from totals
    left join details
        on details.operation_id = totals.operation_id
        and details.file_id = totals.file_id
        and details.sheet_name = totals.sheet_name
        and details.table_index = totals.table_index
        and (
            (totals.total_of = 'column' and details.column_number = totals.column_number)
            or (totals.total_of = 'row' and details.row_number = totals.row_number)
            or totals.total_of = 'table'
        )
    group by totals.operation_id, totals.file_id, totals.country_code, totals.file_name,
        totals.sheet_name, totals.cell_ref, totals.metric_code, totals.charge_code,
        totals.value_number, totals.value_decimals
),

parts as (
    -- 'of which' rows under a figure of the same metric: together never more than it
    select
        parent.operation_id,
        used_files.country_code,
        parent.file_name,
        parent.sheet_name,
        parent.cell_ref,
        parent.metric_code,
        parent.charge_code,
        parent.value_number as parent_value,
        0.5 * power(10, -coalesce(parent.value_decimals, 0)) as tolerance,
        sum(part.value_number) as parts_sum,
        string_agg(part.cell_ref, ',' order by part.row_number, part.column_number) as part_cells
    from observations as part
    inner join observations as parent
        on parent.operation_id = part.operation_id
        and parent.file_id = part.file_id
        and parent.sheet_name = part.sheet_name
        and parent.cell_ref = part.part_of
    inner join used_files
        on used_files.operation_id = parent.operation_id and used_files.file_id = parent.file_id
    where part.is_part and part.value_number is not null and parent.value_number is not null
    group by parent.operation_id, used_files.country_code, parent.file_name, parent.sheet_name,
        parent.cell_ref, parent.metric_code, parent.charge_code, parent.value_number,
        parent.value_decimals
),

{% set total_detail %}
    file_name || ', sheet ''' || sheet_name || ''', cell ' || cell_ref || ': the file''s total is '
        || {{ as_figure('total_value') }} || '; its cells ' || coalesce(detail_cells, '(none)')
        || ' add up to ' || {{ as_figure('detail_sum') }}
{% endset %}

{% set parts_detail %}
    file_name || ', sheet ''' || sheet_name || ''', cell ' || cell_ref || ': the figure is '
        || {{ as_figure('parent_value') }} || '; the rows under it (' || part_cells
        || ') add up to ' || {{ as_figure('parts_sum') }} || ', which they may not exceed'
{% endset %}

totals_checked as (
    select
        {{ check_row(
            operation_id='operation_id',
            check_name="'total in ' || file_name || ' ' || sheet_name || '!' || cell_ref",
            check_level="'within_file'",
            metric_code='metric_code',
            charge_code='charge_code',
            country_code='country_code',
            derived_value='detail_sum',
            published_value='total_value',
            qualifier="'exact'",
            lower_bound='total_value - tolerance',
            upper_bound='total_value + tolerance',
            lower_inclusive='true',
            upper_inclusive='false',
            status="case when detail_sum >= total_value - tolerance
                and detail_sum < total_value + tolerance then 'pass' else 'fail' end",
            detail=total_detail,
            source_file='file_name',
            source_sheet='sheet_name',
            source_cell='cell_ref',
        ) }}
    from compared
),

parts_checked as (
    select
        {{ check_row(
            operation_id='operation_id',
            check_name="'parts of ' || file_name || ' ' || sheet_name || '!' || cell_ref",
            check_level="'within_file'",
            metric_code='metric_code',
            charge_code='charge_code',
            country_code='country_code',
            derived_value='parts_sum',
            published_value='parent_value',
            qualifier="'at_most'",
            lower_bound='0',
            upper_bound='parent_value + tolerance',
            lower_inclusive='true',
            upper_inclusive='false',
            status="case when parts_sum < parent_value + tolerance then 'pass' else 'fail' end",
            detail=parts_detail,
            source_file='file_name',
            source_sheet='sheet_name',
            source_cell='cell_ref',
        ) }}
    from parts
)

select * from totals_checked
union all
select * from parts_checked
