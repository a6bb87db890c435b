-- One row per column of personal data (names, dates of birth, passport and ID numbers)
-- that ingestion left out of the warehouse: where it was and how many values, never what.
select
    drops.operation_id,
    drops.file_id,
    submissions.file_name,
    drops.sheet_name,
    drops.column_letter,
    drops.header_text,
    drops.values_dropped,
    drops.detected_by
from {{ ref('stg_raw__privacy_drops') }} as drops
inner join {{ ref('stg_raw__submissions') }} as submissions using (operation_id, file_id)
where submissions.is_present and {{ in_scope('drops.operation_id') }}
