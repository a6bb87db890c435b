-- The operation's headline figures, summed over the reporting countries.
select o.operation_name, r.metric_code, m.metric_name, r.value, r.unit, r.countries_reporting
from marts.fct_operation_results r
join marts.dim_operation o using (operation_id)
join marts.dim_metric m using (metric_code)
where r.operation_id = '2020-09-se-europe-jad'
order by r.metric_code;
