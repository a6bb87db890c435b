-- One row per operation and metric: the operation's figure, summed over its countries.
select
    operation_id,
    metric_code,
    sum(value) as value,
    {{ dbt.any_value('unit') }} as unit,
    count(distinct country_code) as countries_reporting
from {{ ref('fct_country_totals') }}
where {{ in_scope() }}
group by operation_id, metric_code
