-- One row per thing the warehouse could not take: a rejected file, an unreadable cell, a
-- label or unit no seed knows, a file from a non-participant. severity 'error' blocks the
-- publish (a file read in part would give a wrong number that looks right); a rejected
-- file does not (it counts for nothing, and reconciliation says what is missing).
-- Each message says what was found and what would resolve it; where nothing in the file
-- can decide, it says what is ambiguous and what evidence would decide it. `subjects` is
-- what the item is about (the unknown labels, the unit, the day text), for the steward's
-- groups (`jadwh quarantine`). The labels of a rejected file are in rejected_file_labels.
with files as (
    select operation_id, file_id, file_name, language, country_code, date_order,
        decimal_separator, submission_status
    from {{ ref('stg_raw__submissions') }}
),

ingestion as (
    select
        q.operation_id,
        q.file_id,
        q.file_name,
        q.sheet_name,
        q.cell_ref,
        q.reason_code,
        q.message,
        q.raw_text,
        case when q.subject is not null then [q.subject] else [] end as subjects,
        'ingestion' as found_by
    from {{ ref('stg_raw__quarantine') }} as q
    inner join files using (operation_id, file_id)
    where {{ in_scope('q.operation_id') }}
        and q.file_id in (select file_id from {{ ref('stg_raw__submissions') }} where is_present)
        -- a rejected file's own labels are not items of the quarantine (rejected_file_labels)
        and (files.submission_status = 'accepted' or q.cell_ref is null)
),

operations as (
    select operation_id, start_date, end_date from {{ ref('stg_raw__operations') }}
),

total_words as (
    select distinct {{ label_key('label') }} as label_key
    from {{ ref('field_labels') }}
    where field_role = 'total'
),

unlabelled_totals as (
    -- an unlabelled figure whose only label is a word for a total ('Summe', 'UKUPNO')
    select distinct parts.observation_id
    from (
        select observation_id, unnest(measure_labels) as label
        from {{ ref('int_observations_mapped') }}
        where mapping_status = 'unlabelled_value' and {{ in_scope() }}
    ) as parts
    inner join total_words on total_words.label_key = {{ label_key('parts.label') }}
),

unknown_context as (
    -- the words around an unlabelled figure (its table's title, a heading over its column,
    -- its sheet's name) that no seed knows: one of them may name what it counts
    select parts.observation_id, {{ ordered_list('parts.label', 'parts.position') }} as labels
    from (
        select
            observation_id,
            generate_subscripts(context_labels, 1) as position,
            unnest(context_labels) as label
        from {{ ref('int_observations_mapped') }}
        where mapping_status = 'unlabelled_value' and {{ in_scope() }}
    ) as parts
    left join {{ ref('int_vocabulary_labels') }} as vocabulary
        on vocabulary.label_key = {{ label_key('parts.label') }}
    where vocabulary.label_key is null
    group by parts.observation_id
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
            when 'unknown_label' then 'the label ''' || array_to_string(mapped.unknown_label_list, ''', ''')
                || ''' is in no seed'
                || case
                    when mapped.charge_code is not null then '; the cell''s other labels already name the charge '
                        || mapped.charge_code || ', which qualifies arrests: if it names arrests (''Festnahmen''), '
                        || 'add it to metric_labels.csv as arrests; if it says what is counted (persons, cases), '
                        || 'to unit_labels.csv as count, or to field_labels.csv with the role group'
                    when mapped.metric_code is not null then '; the cell''s other labels or its title already say '
                        || mapped.metric_code || ': if it names a charge, add it to charge_labels.csv; if it '
                        || 'names this figure or a kind of it, to metric_labels.csv as ' || mapped.metric_code
                        || '; if it stands over several figures (a group word), to field_labels.csv with the role group'
                    else ': add it to metric_labels.csv with the metric it names, or to charge_labels.csv with '
                        || 'the charge (jadwh quarantine --suggest proposes the closest code, for review)'
                end
            when 'unknown_charge' then 'the label ''' || array_to_string(mapped.unknown_label_list, ''', ''')
                || ''' stands where an offence is expected (under arrests) and names no charge in the seeds. '
                || 'If it is one of the charges of the taxonomy, add it to charge_labels.csv with that charge; '
                || 'if it is an offence outside the taxonomy, either add the offence to charges.csv '
                || 'and the label to charge_labels.csv, or map the label to ''other'' in charge_labels.csv'
            when 'ambiguous_label' then 'the labels ' || array_to_string(mapped.measure_labels, ' / ')
                || case when mapped.labels_disagree
                    then ' name different figures, and a cell is one figure: which it is cannot be '
                        || 'decided. Where one of them names here the offence the arrests were for, add '
                        || 'it to charge_labels.csv with that charge (a label may name a metric and a '
                        || 'charge: beside a metric it is the charge); where one is a word of the layout, '
                        || 'add it to field_labels.csv as a group'
                    else ' name more than one metric or charge, so which figure this is cannot be '
                        || 'decided; the seed rows that give one of these labels two codes decide it: '
                        || 'correct them so that each label names one metric or charge'
                end
            when 'unlabelled_value' then
                case when unlabelled_totals.observation_id is not null
                    then 'the figure ' || mapped.raw_text || ' is labelled only as a total ('
                        || array_to_string(mapped.measure_labels, ', ') || ') and nothing names what it totals: '
                        || 'the table it closes was not read as one (its header names no known metric). Add '
                        || 'the labels of its header to metric_labels.csv (a total is then checked against '
                        || 'its rows, never counted on its own), or declare the table''s header_row in '
                        || 'template_hints.csv'
                    else 'nothing names what ' || mapped.raw_text || ' counts: '
                        || case
                            when mapped.charge_code is not null
                                then 'its label (' || array_to_string(mapped.measure_labels, ', ')
                                || ') names the charge ' || mapped.charge_code || ', which alone says '
                                || 'nothing of what is counted (arrests? seizures?)'
                            when len(mapped.measure_labels) > 0
                                then 'its labels (' || array_to_string(mapped.measure_labels, ', ')
                                || ') are field words, which say how a table is laid out, not what is counted'
                            else 'it has no label' end
                        || ', and no word around it (' || array_to_string(mapped.context_labels, ', ')
                        || ') names a metric. '
                        || case when len(unknown_context.labels) > 0
                            then 'Of these, ''' || array_to_string(unknown_context.labels, ''', ''')
                                || ''' are in no seed: add the one that names the figure (a heading over '
                                || 'its column, its table''s title) to metric_labels.csv'
                            else 'Add the word that names the figure to metric_labels.csv, or ask the sender'
                        end
                end
            when 'unknown_unit' then 'the unit ''' || mapped.unit_text || ''''
                || coalesce(' (cell ' || mapped.unit_cell_ref || ')', '')
                || ' is in no seed; add it to unit_labels.csv with the unit it is: '
                || case mapped.metric_dimension
                    when 'count' then 'count (it counts ' || mapped.metric_code || ': pieces, persons, cases)'
                    when 'mass' then 'the mass it is (g, kg, t, lb, oz): the figure is converted by its factor'
                    else 'one of units.csv'
                end
            when 'unit_mismatch' then 'the unit ''' || mapped.unit_text || ''''
                || coalesce(' (cell ' || mapped.unit_cell_ref || ')', '') || ' is a '
                || coalesce(mapped.written_dimension, '?') || ', but the labels ('
                || array_to_string(mapped.measure_labels, ', ') || ') make the figure ' || mapped.metric_code
                || ', a ' || coalesce(mapped.metric_dimension, '?') || ': either one of these labels is mapped '
                || 'to the wrong metric in the seeds (correct its row) or the unit is written wrong (ask the sender)'
            when 'missing_quantity' then 'a listed ' || mapped.metric_code
                || ' item has no quantity: the list counts its rows, but ' || mapped.metric_code
                || ' is a measure. If a column of the list holds the quantities, declare it with '
                || 'quantity_column in template_hints.csv (its letter or its header); otherwise ask the '
                || 'sender for the quantity'
            when 'negative_value' then 'the ' || mapped.metric_code || ' figure ' || mapped.raw_text
                || ' is negative, and no count or measure is; correct the cell or ask the sender'
            when 'implausible_value' then 'the ' || mapped.metric_code || ' figure ' || mapped.raw_text
                || ' is larger than any one cell can hold (max_per_cell in metrics.csv): a typing error? '
                || 'Ask the sender; if such a figure is real, raise max_per_cell of ' || mapped.metric_code
                || ' in metrics.csv'
            when 'fractional_count' then 'the ' || mapped.metric_code || ' count ' || mapped.raw_text
                || ' is not a whole number'
                || case when regexp_full_match(trim(mapped.raw_text), '\d{1,3}([.,]\d{3})+')
                    then ': read with ''' || case when strpos(mapped.raw_text, '.') > 0 then ',' else '.' end
                        || ''' as the decimal separator it is '
                        || regexp_replace(trim(mapped.raw_text), '[.,]', '', 'g')
                        || ', a whole count, so the file writes ''' || case when strpos(mapped.raw_text, '.') > 0
                            then '.' else ',' end
                        || ''' between thousands. Declare decimal_separator '''
                        || case when strpos(mapped.raw_text, '.') > 0
                            then ',' else '.' end || ''' for this template in template_hints.csv'
                    else ': a count of persons or things is whole; ask the sender'
                end
            when 'conflicting_labels' then 'the labels ' || array_to_string(mapped.measure_labels, ' / ')
                || ' name the charge ' || mapped.charge_code || ' and the metric ' || mapped.metric_code
                || ', but a charge only qualifies arrests; one of the labels is mapped wrong in the seeds'
            when 'conflicting_units' then 'the ' || mapped.metric_code || ' figure is written in '
                || 'more than one unit and the values disagree (' || mapped.raw_text || ' '
                || coalesce(mapped.unit_text, '') || ' is one of them); ask the sender which is right'
            when 'date_outside_window' then 'the day ' || cast(mapped.period_date as varchar)
                || coalesce(' (cell ' || mapped.period_cell_ref || ')', '')
                || ' is outside the operation (' || cast(operations.start_date as varchar) || ' to '
                || cast(operations.end_date as varchar) || ')'
                || case when {{ swapped_day_month('mapped.period_date') }}
                        between operations.start_date and operations.end_date
                    then ': read the other way round it is '
                        || cast({{ swapped_day_month('mapped.period_date') }} as varchar)
                        || ', a day of the operation, so the file writes its dates '
                        || case when files.date_order = 'mdy' then 'day-month' else 'month-day' end
                        || '. Declare date_order ' || case when files.date_order = 'mdy' then 'dmy' else 'mdy' end
                        || ' for this template in template_hints.csv'
                    else ': correct the date (ask the sender), or the operation''s dates in operation.yaml '
                        || 'if it ran longer'
                end
        end as message,
        mapped.raw_text,
        case
            when mapped.mapping_status in ('unknown_label', 'unknown_charge') then mapped.unknown_label_list
            when mapped.mapping_status in ('unknown_unit', 'unit_mismatch', 'conflicting_units')
                then [coalesce(mapped.unit_text, '')]
            when mapped.mapping_status = 'date_outside_window' then [cast(mapped.period_date as varchar)]
            when mapped.mapping_status = 'unlabelled_value'
                then coalesce(unknown_context.labels, cast([] as varchar[]))
            when mapped.mapping_status in ('ambiguous_label', 'conflicting_labels')
                then mapped.measure_labels
            else [mapped.metric_code]
        end as subjects,
        'mapping' as found_by
    from {{ ref('int_observations_mapped') }} as mapped
    inner join files using (operation_id, file_id)
    -- only the files that can count: a non-participant's file is one item below, not many
    inner join {{ ref('int_submissions_ranked') }} as ranked
        on ranked.operation_id = mapped.operation_id and ranked.file_id = mapped.file_id
        and ranked.is_participant
    left join operations on operations.operation_id = mapped.operation_id
    left join unlabelled_totals using (observation_id)
    left join unknown_context using (observation_id)
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
        [country_code] as subjects,
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
            || '; it counts once (remove all but one copy to silence this)' as message,
        cast(null as varchar) as raw_text,
        cast([] as varchar[]) as subjects,
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
    reasons.steward_action,
    files.language,
    files.country_code
from all_items
left join {{ ref('quarantine_reasons') }} as reasons using (reason_code)
left join files using (operation_id, file_id)
