-- Trace one figure back to the raw cells and the labels the reader saw around them.
select r.country_code, r.metric_code, r.report_date, r.value,
       o.sheet_name, o.cell_ref, o.raw_text, o.row_label, o.column_label, o.unit_text,
       s.file_name, s.country_evidence
from marts.fct_country_results r
join raw.submissions s on s.file_id = r.source_file_id and s.operation_id = r.operation_id
join raw.observations o
  on o.operation_id = r.operation_id and o.file_id = r.source_file_id
 and o.sheet_name = r.source_sheet and o.cell_ref = split_part(r.source_cell, ',', 1)
where r.operation_id = '2020-09-se-europe-jad' and r.metric_code = 'drugs_seized_kg'
order by r.country_code, r.report_date;
