-- Every figure of one country, and the file, sheet and cell it came from.
select report_date, metric_code, value, unit, source_file, source_sheet, source_cell
from marts.fct_country_results
where operation_id = '2020-09-se-europe-jad' and country_code = 'HR'
order by metric_code, report_date;
