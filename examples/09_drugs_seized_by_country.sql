-- Drugs seized (kg) by country, with the cells the kilograms come from.
select t.country_code, c.country_name, round(t.value, 3) as kilograms,
       string_agg(r.source_file || ' ' || r.source_sheet || '!' || r.source_cell, '; ') as sources
from marts.fct_country_totals t
join marts.dim_country c using (country_code)
join marts.fct_country_results r using (operation_id, country_code, metric_code)
where t.operation_id = '2020-09-se-europe-jad' and t.metric_code = 'drugs_seized_kg' and t.value > 0
group by all
order by kilograms desc;
