-- Day by day, the figures of the countries that reported per day.
select report_date, metric_code, sum(value) as value, count(distinct country_code) as countries
from marts.fct_country_results
where operation_id = '2020-09-se-europe-jad' and report_date is not null
group by report_date, metric_code
order by metric_code, report_date;
