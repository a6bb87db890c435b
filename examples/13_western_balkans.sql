-- The Western Balkan services: iARMS records uploaded before the operation, and their checks.
select t.country_code, c.country_name, t.metric_code, t.value
from marts.fct_country_totals t
join marts.dim_country c using (country_code)
where t.operation_id = '2020-09-se-europe-jad' and c.is_western_balkans
  and t.metric_code in ('iarms_records_uploaded', 'persons_checked', 'arrests')
order by t.metric_code, t.value desc;
