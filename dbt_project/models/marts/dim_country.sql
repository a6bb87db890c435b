select
    country_code,
    iso3,
    country_name,
    region,
    region = 'Western Balkans' as is_western_balkans,
    decimal_separator,
    date_order
from {{ ref('countries') }}
