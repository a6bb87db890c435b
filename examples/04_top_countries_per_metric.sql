-- The three largest contributions to each metric.
select metric_code, country_code, value, rank
from (
    select metric_code, country_code, value,
           rank() over (partition by metric_code order by value desc) as rank
    from marts.fct_country_totals
    where operation_id = '2020-09-se-europe-jad'
)
where rank <= 3
order by metric_code, rank;
