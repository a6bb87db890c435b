-- Files that a later file of the same country superseded, and the file that did.
select earlier.country_code, earlier.file_name as superseded_file, earlier.report_date as superseded_report_date,
       later.file_name as current_file, later.report_date as current_report_date
from audit.submission_history earlier
join audit.submission_history later
  on later.operation_id = earlier.operation_id and later.country_code = earlier.country_code
 and later.file_status = 'current'
where earlier.file_status in ('superseded', 'partly_superseded')
order by earlier.country_code;
