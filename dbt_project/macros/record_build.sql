{#- on-run-end: one row per dbt invocation in audit.dbt_builds, so that the publish gate can
    refuse a build whose models or tests failed, however the publish is started. -#}
{% macro record_build(results) %}
    {% if execute %}
        {% set failed = results | selectattr('status', 'in', ['error', 'fail', 'runtime error']) | list %}
        {% set names = failed | map(attribute='node.unique_id') | join(', ') %}
        create schema if not exists audit;
        create table if not exists audit.dbt_builds (
            invocation_id varchar, finished_at timestamp, command varchar, nodes integer,
            failures integer, failed_nodes varchar
        );
        comment on table audit.dbt_builds is 'One row per dbt invocation: the publish refuses a build whose latest invocation had failures.';
        comment on column audit.dbt_builds.invocation_id is 'dbt''s id of the invocation.';
        comment on column audit.dbt_builds.finished_at is 'When it finished.';
        comment on column audit.dbt_builds.command is 'build, test, run, ...';
        comment on column audit.dbt_builds.nodes is 'Models, seeds and tests it ran.';
        comment on column audit.dbt_builds.failures is 'How many of them failed or errored.';
        comment on column audit.dbt_builds.failed_nodes is 'The unique ids of those, comma-separated.';
        insert into audit.dbt_builds values (
            '{{ invocation_id }}', current_timestamp, '{{ flags.WHICH }}', {{ results | length }},
            {{ failed | length }}, '{{ names | replace("'", "''") }}'
        );
    {% endif %}
{% endmacro %}
