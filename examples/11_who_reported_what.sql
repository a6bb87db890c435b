-- Which participant reported which metric (x), and who reported nothing of it.
pivot (
    select p.country_code, m.metric_code,
           case when t.value is null then '' else 'x' end as reported
    from (select unnest(participants) as country_code from marts.dim_operation
          where operation_id = '2020-09-se-europe-jad') p
    cross join marts.dim_metric m
    left join marts.fct_country_totals t
      on t.operation_id = '2020-09-se-europe-jad' and t.country_code = p.country_code
     and t.metric_code = m.metric_code
)
on metric_code using first(reported)
order by country_code;
