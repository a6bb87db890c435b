-- Within a country: what one country states must agree with itself.
--   arrests by charge add up to the country's arrests (where it gives both);
--   database hits never exceed database searches;
--   a figure stated twice (a summary beside its detail: drugs seized in total and seizure by
--   seizure, arrests in total and arrest by arrest) is the same figure.
with figures as (
    select * from {{ ref('int_country_figures') }}
    where {{ in_scope() }}
),

metrics as (
    select metric_code, day_aggregation from {{ ref('metrics') }}
),

located as (
    select
        *,
        file_name || ', sheet ''' || sheet_name || ''', cell ' || cell_ref as location
    from figures
),

arrests_direct as (
    select
        operation_id,
        country_code,
        sum(value) as arrests,
        string_agg(location, '; ' order by sheet_name, row_number, column_number) as locations,
        min(file_name) as file_name,
        min(sheet_name) as sheet_name,
        min(cell_ref) as cell_ref
    from located
    where metric_code = 'arrests' and not is_breakdown and not is_part and is_finest_grain
    group by operation_id, country_code
),

arrests_by_charge as (
    select operation_id, country_code, sum(value) as arrests
    from figures
    where metric_code = 'arrests' and is_breakdown and is_finest_grain
    group by operation_id, country_code
),

{% set charge_detail %}
    country_code || ' states ' || {{ as_figure('arrests_direct.arrests') }} || ' arrests ('
        || arrests_direct.locations || '); its arrests by charge add up to '
        || {{ as_figure('arrests_by_charge.arrests') }}
{% endset %}

charge_checks as (
    select
        {{ check_row(
            operation_id='operation_id',
            check_name="'arrests by charge = arrests (' || country_code || ')'",
            check_level="'within_country'",
            metric_code="'arrests'",
            country_code='country_code',
            derived_value='arrests_by_charge.arrests',
            published_value='arrests_direct.arrests',
            qualifier="'exact'",
            lower_bound='arrests_direct.arrests',
            upper_bound='arrests_direct.arrests',
            lower_inclusive='true',
            upper_inclusive='true',
            status="case when arrests_by_charge.arrests = arrests_direct.arrests
                then 'pass' else 'fail' end",
            detail=charge_detail,
            source_file='arrests_direct.file_name',
            source_sheet='arrests_direct.sheet_name',
            source_cell='arrests_direct.cell_ref',
        ) }}
    from arrests_direct
    inner join arrests_by_charge using (operation_id, country_code)
),

totals as (
    select operation_id, country_code, metric_code, sum(value) as value
    from figures
    where counts_in_figure and metric_code in ('db_hits', 'db_searches')
    group by operation_id, country_code, metric_code
),

{% set hits_detail %}
    hits.country_code || ' reports ' || {{ as_figure('hits.value') }} || ' hits for '
        || {{ as_figure('searches.value') }} || ' searches'
{% endset %}

hits_checks as (
    select
        {{ check_row(
            operation_id='hits.operation_id',
            check_name="'database hits <= searches (' || hits.country_code || ')'",
            check_level="'within_country'",
            metric_code="'db_hits'",
            country_code='hits.country_code',
            derived_value='hits.value',
            published_value='searches.value',
            qualifier="'at_most'",
            lower_bound='0',
            upper_bound='searches.value',
            lower_inclusive='true',
            upper_inclusive='true',
            status="case when hits.value <= searches.value then 'pass' else 'fail' end",
            detail=hits_detail,
        ) }}
    from totals as hits
    inner join totals as searches
        on searches.operation_id = hits.operation_id
        and searches.country_code = hits.country_code
        and searches.metric_code = 'db_searches'
    where hits.metric_code = 'db_hits'
),

summaries as (
    select
        operation_id,
        country_code,
        file_id,
        metric_code,
        charge_code,
        {{ dbt.any_value('file_name') }} as file_name,
        min(sheet_name) as sheet_name,
        string_agg(cell_ref, ',' order by row_number, column_number) as cell_refs,
        sum(value) as stated,
        max(half_unit) as tolerance
    from figures
    where not is_finest_grain
    group by operation_id, country_code, file_id, metric_code, charge_code
),

detail_days as (
    select operation_id, country_code, file_id, metric_code, charge_code, period_date,
        sum(value) as value
    from figures
    where is_finest_grain
    group by operation_id, country_code, file_id, metric_code, charge_code, period_date
),

details as (
    select
        detail_days.operation_id,
        detail_days.country_code,
        detail_days.file_id,
        detail_days.metric_code,
        detail_days.charge_code,
        case when metrics.day_aggregation = 'max' then max(detail_days.value)
            else sum(detail_days.value) end as detail_value
    from detail_days
    inner join metrics using (metric_code)
    group by
        detail_days.operation_id,
        detail_days.country_code,
        detail_days.file_id,
        detail_days.metric_code,
        detail_days.charge_code,
        metrics.day_aggregation
),

{% set summary_detail %}
    summaries.file_name || ', sheet ''' || summaries.sheet_name || ''', cell '
        || summaries.cell_refs || ' states ' || {{ as_figure('summaries.stated') }}
        || '; its detail adds up to ' || {{ as_figure('details.detail_value') }}
{% endset %}

summary_checks as (
    select
        {{ check_row(
            operation_id='summaries.operation_id',
            check_name="'summary = detail ' || summaries.metric_code
                || coalesce(' [' || summaries.charge_code || ']', '')
                || ' (' || summaries.country_code || ')'",
            check_level="'within_country'",
            metric_code='summaries.metric_code',
            charge_code='summaries.charge_code',
            country_code='summaries.country_code',
            derived_value='details.detail_value',
            published_value='summaries.stated',
            qualifier="'exact'",
            lower_bound='summaries.stated - summaries.tolerance',
            upper_bound='summaries.stated + summaries.tolerance',
            lower_inclusive='true',
            upper_inclusive='false',
            status="case when details.detail_value >= summaries.stated - summaries.tolerance
                and details.detail_value < summaries.stated + summaries.tolerance
                then 'pass' else 'fail' end",
            detail=summary_detail,
            source_file='summaries.file_name',
            source_sheet='summaries.sheet_name',
            source_cell='summaries.cell_refs',
        ) }}
    from summaries
    inner join details
        on details.operation_id = summaries.operation_id
        and details.file_id = summaries.file_id
        and details.metric_code = summaries.metric_code
        and details.charge_code is not distinct from summaries.charge_code
)

select * from charge_checks
union all
select * from hits_checks
union all
select * from summary_checks
