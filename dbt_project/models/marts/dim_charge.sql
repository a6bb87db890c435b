select charge_code, charge_name, sort_order
from {{ ref('charges') }}
