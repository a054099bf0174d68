-- Orders and their lines, status history, discount approvals and their rules, shipments,
-- payments, returns, and the deliveries of effects to the inventory and finance systems.
-- Money is BIGINT minor units of the order's currency; times are UTC DATETIME(6). The outbox,
-- idempotency keys and consumer tables come from the platform track (libs/db).

CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 1,
  customer VARCHAR(64) NOT NULL,
  customer_display_name VARCHAR(200) NOT NULL DEFAULT '',
  opportunity VARCHAR(64) NOT NULL DEFAULT '',
  owner VARCHAR(64) NOT NULL,
  creator VARCHAR(64) NOT NULL,
  currency_code VARCHAR(3) NOT NULL,
  status TINYINT NOT NULL,
  held_from TINYINT NOT NULL DEFAULT 0,
  order_time DATETIME(6) NOT NULL,
  requested_delivery_date VARCHAR(10) NOT NULL DEFAULT '',
  ship_recipient VARCHAR(100) NOT NULL DEFAULT '',
  ship_phone VARCHAR(32) NOT NULL DEFAULT '',
  ship_country VARCHAR(2) NOT NULL DEFAULT '',
  ship_province VARCHAR(100) NOT NULL DEFAULT '',
  ship_city VARCHAR(100) NOT NULL DEFAULT '',
  ship_street VARCHAR(500) NOT NULL DEFAULT '',
  ship_postal_code VARCHAR(16) NOT NULL DEFAULT '',
  notes TEXT NOT NULL,
  -- Line numbers are never reused, so a shipment's or return's line means one thing.
  next_line_number INT NOT NULL DEFAULT 1,
  subtotal_minor BIGINT NOT NULL DEFAULT 0,
  discount_minor BIGINT NOT NULL DEFAULT 0,
  total_minor BIGINT NOT NULL DEFAULT 0,
  -- What the CRM asked finance for, and the payments finance reported.
  invoiced_minor BIGINT NOT NULL DEFAULT 0,
  credited_minor BIGINT NOT NULL DEFAULT 0,
  paid_minor BIGINT NOT NULL DEFAULT 0,
  -- Whether stock was asked to be reserved (a cancellation then asks to release it).
  stock_requested TINYINT NOT NULL DEFAULT 0,
  replacement_for BIGINT NULL,
  replacement_return BIGINT NULL,
  -- The latest approval (approvals.id), if the order ever needed one.
  approval_id BIGINT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  status_time DATETIME(6) NOT NULL,
  KEY orders_by_create_time (create_time, id),
  KEY orders_by_update_time (update_time, id),
  KEY orders_by_order_time (order_time, id),
  KEY orders_by_customer (customer, create_time, id),
  KEY orders_by_owner (owner, id),
  KEY orders_by_status (status, id),
  KEY orders_by_total (total_minor, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The catalog's product and price as they were when the line was priced: never looked up again.
CREATE TABLE order_lines (
  order_id BIGINT NOT NULL,
  line_number INT NOT NULL,
  product VARCHAR(64) NOT NULL,
  product_display_name VARCHAR(200) NOT NULL,
  sku VARCHAR(64) NOT NULL,
  unit VARCHAR(16) NOT NULL,
  external_product_id VARCHAR(64) NOT NULL DEFAULT '',
  price VARCHAR(96) NOT NULL,
  unit_price_minor BIGINT NOT NULL,
  quantity BIGINT NOT NULL,
  discount_bps INT NOT NULL,
  list_minor BIGINT NOT NULL,
  discount_minor BIGINT NOT NULL,
  total_minor BIGINT NOT NULL,
  shipped_quantity BIGINT NOT NULL DEFAULT 0,
  delivered_quantity BIGINT NOT NULL DEFAULT 0,
  returned_quantity BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (order_id, line_number),
  KEY order_lines_by_product (product, order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE order_status_history (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT NOT NULL,
  from_status TINYINT NOT NULL,
  to_status TINYINT NOT NULL,
  actor VARCHAR(64) NOT NULL,
  reason VARCHAR(2000) NOT NULL DEFAULT '',
  change_time DATETIME(6) NOT NULL,
  KEY order_status_history_by_order (order_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE approvals (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT NOT NULL,
  state TINYINT NOT NULL,
  approver_role TINYINT NOT NULL,
  -- "users/{id}" of the one manager who may approve; '' when any admin may.
  approver VARCHAR(64) NOT NULL DEFAULT '',
  submitter VARCHAR(64) NOT NULL,
  owner VARCHAR(64) NOT NULL,
  required_role TINYINT NOT NULL,
  reasons TEXT NOT NULL,
  currency_code VARCHAR(3) NOT NULL,
  total_minor BIGINT NOT NULL,
  max_discount_bps INT NOT NULL,
  submit_time DATETIME(6) NOT NULL,
  assign_time DATETIME(6) NOT NULL,
  -- When a manager's approval is escalated if still pending; NULL at the top level.
  escalate_time DATETIME(6) NULL,
  decider VARCHAR(64) NOT NULL DEFAULT '',
  comment VARCHAR(2000) NOT NULL DEFAULT '',
  decide_time DATETIME(6) NULL,
  KEY approvals_by_order (order_id, id),
  KEY approvals_due (state, escalate_time),
  KEY approvals_by_approver (state, approver, submit_time, id),
  KEY approvals_by_role (state, approver_role, submit_time, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The audit trail of every approval: each submission, decision, escalation and withdrawal.
CREATE TABLE approval_decisions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  approval_id BIGINT NOT NULL,
  order_id BIGINT NOT NULL,
  action TINYINT NOT NULL,
  actor VARCHAR(64) NOT NULL,
  approver_role TINYINT NOT NULL,
  approver VARCHAR(64) NOT NULL DEFAULT '',
  comment VARCHAR(2000) NOT NULL DEFAULT '',
  decision_time DATETIME(6) NOT NULL,
  KEY approval_decisions_by_approval (approval_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE approval_rules (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  display_name VARCHAR(200) NOT NULL,
  approver_role TINYINT NOT NULL,
  -- NULL where the rule has no such condition.
  discount_above_bps INT NULL,
  total_at_least_minor BIGINT NULL,
  total_currency VARCHAR(3) NOT NULL DEFAULT '',
  customer VARCHAR(64) NOT NULL DEFAULT '',
  product VARCHAR(64) NOT NULL DEFAULT '',
  creator VARCHAR(64) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  delete_time DATETIME(6) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE shipments (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT NOT NULL,
  external_reference VARCHAR(128) NOT NULL,
  status TINYINT NOT NULL,
  carrier VARCHAR(64) NOT NULL DEFAULT '',
  tracking_number VARCHAR(64) NOT NULL DEFAULT '',
  ship_time DATETIME(6) NOT NULL,
  deliver_time DATETIME(6) NULL,
  recorder VARCHAR(64) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  UNIQUE KEY shipments_by_reference (external_reference),
  KEY shipments_by_order (order_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE shipment_lines (
  shipment_id BIGINT NOT NULL,
  line_number INT NOT NULL,
  quantity BIGINT NOT NULL,
  PRIMARY KEY (shipment_id, line_number)
) ENGINE=InnoDB;

CREATE TABLE payments (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT NOT NULL,
  external_reference VARCHAR(128) NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency_code VARCHAR(3) NOT NULL,
  method VARCHAR(32) NOT NULL DEFAULT '',
  paid_time DATETIME(6) NOT NULL,
  recorder VARCHAR(64) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  UNIQUE KEY payments_by_reference (external_reference),
  KEY payments_by_order (order_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE order_returns (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 1,
  order_id BIGINT NOT NULL,
  -- "orders/{id}", for filters written with resource names.
  order_name VARCHAR(64) NOT NULL,
  state TINYINT NOT NULL,
  requested_resolution TINYINT NOT NULL,
  resolution TINYINT NOT NULL DEFAULT 0,
  reason VARCHAR(2000) NOT NULL,
  requester VARCHAR(64) NOT NULL,
  decider VARCHAR(64) NOT NULL DEFAULT '',
  comment VARCHAR(2000) NOT NULL DEFAULT '',
  refund_minor BIGINT NOT NULL DEFAULT 0,
  replacement_order_id BIGINT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  KEY order_returns_by_order (order_id, id),
  KEY order_returns_by_order_name (order_name, id),
  KEY order_returns_by_create_time (create_time, id),
  KEY order_returns_by_update_time (update_time, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE return_lines (
  return_id BIGINT NOT NULL,
  line_number INT NOT NULL,
  quantity BIGINT NOT NULL,
  received_quantity BIGINT NOT NULL DEFAULT 0,
  refund_minor BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (return_id, line_number)
) ENGINE=InnoDB;

-- Effects on their way to the inventory and finance systems, written in the transaction that
-- caused them beside their outbox event (whose id is the idempotency key) and sent by the
-- relay. A delivery is claimed by one relay at a time (lease_owner until lease_until); per
-- order and system, the oldest pending one goes first.
CREATE TABLE deliveries (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id VARCHAR(96) NOT NULL,
  event_type VARCHAR(128) NOT NULL,
  order_id BIGINT NOT NULL,
  -- "orders/{id}", for filters written with resource names.
  order_name VARCHAR(64) NOT NULL,
  system TINYINT NOT NULL,
  effect TINYINT NOT NULL,
  -- crm.integration.v1.WebhookDelivery, serialized: the effect with its key.
  payload LONGBLOB NOT NULL,
  currency_code VARCHAR(3) NOT NULL DEFAULT '',
  amount_minor BIGINT NOT NULL DEFAULT 0,
  state TINYINT NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  last_error VARCHAR(1000) NOT NULL DEFAULT '',
  next_attempt_time DATETIME(6) NOT NULL,
  lease_owner VARCHAR(64) NOT NULL DEFAULT '',
  lease_until DATETIME(6) NULL,
  deliver_time DATETIME(6) NULL,
  external_reference VARCHAR(128) NOT NULL DEFAULT '',
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  UNIQUE KEY deliveries_by_event (event_id, system),
  KEY deliveries_due (state, next_attempt_time, id),
  KEY deliveries_by_order (order_id, system, id),
  KEY deliveries_by_create_time (create_time, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
