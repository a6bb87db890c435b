with source as (
    select * from {{ source('raw', 'participants') }}
)

select distinct
    operation_id,
    upper(trim(country_code)) as country_code
from source
