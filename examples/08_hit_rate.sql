-- Database hits per thousand searches, by country.
select h.country_code,
       h.value as hits,
       s.value as searches,
       round(1000 * h.value / s.value, 2) as hits_per_thousand_searches
from marts.fct_country_totals h
join marts.fct_country_totals s
  on s.operation_id = h.operation_id and s.country_code = h.country_code and s.metric_code = 'db_searches'
where h.operation_id = '2020-09-se-europe-jad' and h.metric_code = 'db_hits'
order by hits_per_thousand_searches desc;
