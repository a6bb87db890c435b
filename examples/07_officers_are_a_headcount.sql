-- Officers are a headcount: a country's figure is its largest day, not the sum of its days.
select country_code,
       max(value) as officers_deployed,
       sum(value) as officer_days,
       count(*) as days_reported
from marts.fct_country_results
where operation_id = '2020-09-se-europe-jad' and metric_code = 'officers_deployed'
  and report_date is not null
group by country_code
order by officers_deployed desc;
