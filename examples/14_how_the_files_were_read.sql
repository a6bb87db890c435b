-- How each file was read: format, encoding, language, number and date conventions.
select country_code, file_name, file_format, encoding, delimiter, language,
       decimal_separator, date_order, observation_count, quarantined_count
from staging.stg_raw__submissions
where operation_id = '2020-09-se-europe-jad' and is_present
order by country_code, file_name;
