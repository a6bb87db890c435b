-- The labels and units no seed knows in files that count for nothing: a file whose sender
-- is unknown (rejected at landing, which keeps its labels, never its figures) and a file
-- from a country that is not a participant. A steward sees them in the same round as
-- every other file's labels, not one round after the file is accepted. Nothing here
-- blocks a publish; the file's own item in audit.quarantine says why it is rejected.
with files as (
    select operation_id, file_id, file_name, language, country_code, submission_status, is_present
    from {{ ref('stg_raw__submissions') }}
),

unidentified as (
    select
        q.operation_id,
        q.file_id,
        q.file_name,
        q.sheet_name,
        q.cell_ref,
        q.reason_code,
        q.message,
        [q.subject] as subjects,
        'unknown_country' as file_reason
    from {{ ref('stg_raw__quarantine') }} as q
    inner join files using (operation_id, file_id)
    where files.is_present and files.submission_status = 'rejected' and q.cell_ref is not null
        and q.subject is not null and {{ in_scope('q.operation_id') }}
),

outsiders as (
    select
        mapped.operation_id,
        mapped.file_id,
        files.file_name,
        mapped.sheet_name,
        mapped.cell_ref,
        mapped.mapping_status as reason_code,
        files.file_name || ', sheet ''' || mapped.sheet_name || ''', cell ' || mapped.cell_ref || ': '
            || case when mapped.mapping_status = 'unknown_unit'
                then 'the unit ''' || mapped.unit_text || ''' is in no seed'
                else 'the label ''' || array_to_string(mapped.unknown_label_list, ''', ''') || ''' is in no seed'
            end
            || ' (the file is from ' || ranked.country_code || ', not a participant: nothing of it counts)'
            as message,
        case when mapped.mapping_status = 'unknown_unit' then [mapped.unit_text]
            else mapped.unknown_label_list end as subjects,
        'not_a_participant' as file_reason
    from {{ ref('int_observations_mapped') }} as mapped
    inner join {{ ref('int_submissions_ranked') }} as ranked
        on ranked.operation_id = mapped.operation_id and ranked.file_id = mapped.file_id
        and not ranked.is_participant
    inner join files on files.operation_id = mapped.operation_id and files.file_id = mapped.file_id
    where mapped.mapping_status in ('unknown_label', 'unknown_charge', 'unknown_unit')
        and {{ in_scope('mapped.operation_id') }}
),

all_items as (
    select * from unidentified
    union all
    select * from outsiders
)

select
    all_items.*,
    files.language
from all_items
left join files using (operation_id, file_id)
