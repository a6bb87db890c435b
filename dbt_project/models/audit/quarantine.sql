-- One row per thing the warehouse could not take: a rejected file, an unreadable cell, a
-- label or unit no seed knows, a file from a non-participant. severity 'error' blocks the
-- publish (a file read in part would give a wrong number that looks right); a rejected
-- file does not (it counts for nothing, and reconciliation says what is missing).
with ingestion as (
    select
        operation_id,
        file_id,
        file_name,
        sheet_name,
        cell_ref,
        reason_code,
        message,
        raw_text,
        'ingestion' as found_by
    from {{ ref('stg_raw__quarantine') }}
    where {{ in_scope() }} and file_id in (select file_id from {{ ref('stg_raw__submissions') }} where is_present)
),

files as (
    select operation_id, file_id, file_name from {{ ref('stg_raw__submissions') }}
),

unmapped as (
    select
        mapped.operation_id,
        mapped.file_id,
        files.file_name,
        mapped.sheet_name,
        mapped.cell_ref,
        mapped.mapping_status as reason_code,
        files.file_name || ', sheet ''' || mapped.sheet_name || ''', cell ' || mapped.cell_ref || ': '
        || case mapped.mapping_status
            when 'unknown_label' then 'the label ''' || mapped.unknown_labels
                || ''' is in no seed; add it to metric_labels.csv or charge_labels.csv'
            when 'unknown_charge' then 'the label ''' || mapped.unknown_labels
                || ''' stands where an offence is expected (under arrests) and names no charge in the seeds. '
                || 'If it is one of the charges of the taxonomy, add it to charge_labels.csv with that charge; '
                || 'if it is an offence outside the taxonomy, either add the offence to charges.csv '
                || 'and the label to charge_labels.csv, or map the label to ''other'' in charge_labels.csv'
            when 'ambiguous_label' then 'the labels ' || array_to_string(mapped.measure_labels, ' / ')
                || ' name more than one metric or charge; make their seed rows unambiguous'
            when 'unlabelled_value' then 'nothing says what ' || mapped.raw_text
                || ' counts (no label, title or sheet name maps to a metric); add one to metric_labels.csv'
            when 'unknown_unit' then 'the unit ''' || mapped.unit_text || ''''
                || coalesce(' (cell ' || mapped.unit_cell_ref || ')', '')
                || ' is in no seed; add it to unit_labels.csv'
            when 'unit_mismatch' then 'the unit ''' || mapped.unit_text || ''''
                || coalesce(' (cell ' || mapped.unit_cell_ref || ')', '') || ' does not fit '
                || mapped.metric_code
            when 'missing_quantity' then 'a listed ' || mapped.metric_code
                || ' item has no quantity'
            when 'negative_value' then 'the ' || mapped.metric_code || ' figure ' || mapped.raw_text
                || ' is negative'
            when 'implausible_value' then 'the ' || mapped.metric_code || ' figure ' || mapped.raw_text
                || ' is larger than any one cell can hold (max_per_cell in metrics.csv)'
            when 'fractional_count' then 'the ' || mapped.metric_code || ' count ' || mapped.raw_text
                || ' is not a whole number (check the decimal separator)'
            when 'conflicting_labels' then 'the labels ' || array_to_string(mapped.measure_labels, ' / ')
                || ' name the charge ' || mapped.charge_code || ' and the metric ' || mapped.metric_code
                || ', but a charge only qualifies arrests; one of the labels is mapped wrong in the seeds'
            when 'conflicting_units' then 'the ' || mapped.metric_code || ' figure is written in '
                || 'more than one unit and the values disagree (' || mapped.raw_text || ' '
                || coalesce(mapped.unit_text, '') || ' is one of them); ask the sender which is right'
            when 'date_outside_window' then 'the day ' || cast(mapped.period_date as varchar)
                || coalesce(' (cell ' || mapped.period_cell_ref || ')', '')
                || ' is outside the operation'
        end as message,
        mapped.raw_text,
        'mapping' as found_by
    from {{ ref('int_observations_mapped') }} as mapped
    inner join files using (operation_id, file_id)
    -- only the files that can count: a non-participant's file is one item below, not many
    inner join {{ ref('int_submissions_ranked') }} as ranked
        on ranked.operation_id = mapped.operation_id and ranked.file_id = mapped.file_id
        and ranked.is_participant
    where mapped.mapping_status not in ('mapped', 'alternative_unit')
        and {{ in_scope('mapped.operation_id') }}
),

outsiders as (
    select
        operation_id,
        file_id,
        file_name,
        cast(null as varchar) as sheet_name,
        cast(null as varchar) as cell_ref,
        'not_a_participant' as reason_code,
        file_name || ': the file is from ' || country_code
            || ', which is not a participant of ' || operation_id
            || '; its figures are not counted (add the country to participants in operation.yaml if it took part)'
            as message,
        cast(null as varchar) as raw_text,
        'mapping' as found_by
    from {{ ref('int_submissions_ranked') }}
    where not is_participant and {{ in_scope() }}
),

duplicates as (
    -- the same bytes under two names in raw/: one file, counted once; a steward may tidy up
    select
        sightings.operation_id,
        sightings.file_id,
        {{ dbt.any_value('submissions.file_name') }} as file_name,
        cast(null as varchar) as sheet_name,
        cast(null as varchar) as cell_ref,
        'duplicate_file' as reason_code,
        'the same file (sha256 ' || left(sightings.file_id, 12) || ') is in raw/ under '
            || count(*) || ' names: ' || string_agg(sightings.relative_path, ', ' order by sightings.relative_path)
            || '; it counts once' as message,
        cast(null as varchar) as raw_text,
        'mapping' as found_by
    from {{ source('raw', 'file_sightings') }} as sightings
    inner join files as submissions using (operation_id, file_id)
    where sightings.is_present and {{ in_scope('sightings.operation_id') }}
    group by sightings.operation_id, sightings.file_id
    having count(*) > 1
),

all_items as (
    select * from ingestion
    union all
    select * from duplicates
    union all
    select * from unmapped
    union all
    select * from outsiders
)

select
    all_items.*,
    coalesce(reasons.severity, 'error') as severity,
    reasons.steward_action
from all_items
left join {{ ref('quarantine_reasons') }} as reasons using (reason_code)
