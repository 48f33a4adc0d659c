"""Initial schema: submissions, one table per document type, and the current_* views.

Revision ID: 0001
Revises:
Create Date: 2026-11-24 23:58:32.256175
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Document types as of this revision; later types get their views in their own revision.
_TYPES = (
    "bom",
    "demand_forecast",
    "goods_receipt",
    "inventory_snapshot",
    "material",
    "material_crosswalk",
    "partner",
    "production_order",
    "purchase_order",
    "quality_inspection",
    "routing",
    "sales_order",
    "shipment",
    "site",
    "work_centre",
)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "doc_bom",
        sa.Column("owner_id", sa.String(), nullable=False),
        sa.Column("parent_code", sa.String(), nullable=False),
        sa.Column("base_quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("line_no", sa.BigInteger(), nullable=False),
        sa.Column("component_code", sa.String(), nullable=False),
        sa.Column("quantity_per", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("component_unit", sa.String(), nullable=False),
        sa.Column("scrap_rate", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("_submission_id", sa.String(length=36), nullable=False),
        sa.Column("_source_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("_doc_key", sa.String(), nullable=False),
        sa.Column("_doc_version", sa.Integer(), nullable=False),
        sa.Column("_submitted_by", sa.String(), nullable=False),
        sa.Column("_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("_standard_version", sa.String(), nullable=False),
        sa.Column("_source_file", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("_submission_id", "_source_row", name=op.f("pk_doc_bom")),
    )
    op.create_index(op.f("ix_doc_bom__doc_key"), "doc_bom", ["_doc_key"], unique=False)
    op.create_table(
        "doc_demand_forecast",
        sa.Column("forecast_id", sa.String(), nullable=False),
        sa.Column("issuer_id", sa.String(), nullable=False),
        sa.Column("site_id", sa.String(), nullable=False),
        sa.Column("forecast_date", sa.Date(), nullable=False),
        sa.Column("bucket", sa.String(), nullable=False),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("_submission_id", sa.String(length=36), nullable=False),
        sa.Column("_source_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("_doc_key", sa.String(), nullable=False),
        sa.Column("_doc_version", sa.Integer(), nullable=False),
        sa.Column("_submitted_by", sa.String(), nullable=False),
        sa.Column("_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("_standard_version", sa.String(), nullable=False),
        sa.Column("_source_file", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint(
            "_submission_id", "_source_row", name=op.f("pk_doc_demand_forecast")
        ),
    )
    op.create_index(
        op.f("ix_doc_demand_forecast__doc_key"), "doc_demand_forecast", ["_doc_key"], unique=False
    )
    op.create_table(
        "doc_goods_receipt",
        sa.Column("receipt_number", sa.String(), nullable=False),
        sa.Column("receiver_id", sa.String(), nullable=False),
        sa.Column("supplier_id", sa.String(), nullable=False),
        sa.Column("site_id", sa.String(), nullable=False),
        sa.Column("receipt_date", sa.Date(), nullable=False),
        sa.Column("shipment_number", sa.String(), nullable=True),
        sa.Column("line_no", sa.BigInteger(), nullable=False),
        sa.Column("po_number", sa.String(), nullable=True),
        sa.Column("po_line_no", sa.BigInteger(), nullable=True),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("lot_number", sa.String(), nullable=False),
        sa.Column("received_quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("accepted_quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("rejected_quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("rejection_reason", sa.String(), nullable=True),
        sa.Column("_submission_id", sa.String(length=36), nullable=False),
        sa.Column("_source_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("_doc_key", sa.String(), nullable=False),
        sa.Column("_doc_version", sa.Integer(), nullable=False),
        sa.Column("_submitted_by", sa.String(), nullable=False),
        sa.Column("_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("_standard_version", sa.String(), nullable=False),
        sa.Column("_source_file", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("_submission_id", "_source_row", name=op.f("pk_doc_goods_receipt")),
    )
    op.create_index(
        op.f("ix_doc_goods_receipt__doc_key"), "doc_goods_receipt", ["_doc_key"], unique=False
    )
    op.create_table(
        "doc_inventory_snapshot",
        sa.Column("partner_id", sa.String(), nullable=False),
        sa.Column("site_id", sa.String(), nullable=False),
        sa.Column("snapshot_date", sa.Date(), nullable=False),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("lot_number", sa.String(), nullable=True),
        sa.Column("quantity_on_hand", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("quantity_blocked", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("_submission_id", sa.String(length=36), nullable=False),
        sa.Column("_source_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("_doc_key", sa.String(), nullable=False),
        sa.Column("_doc_version", sa.Integer(), nullable=False),
        sa.Column("_submitted_by", sa.String(), nullable=False),
        sa.Column("_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("_standard_version", sa.String(), nullable=False),
        sa.Column("_source_file", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint(
            "_submission_id", "_source_row", name=op.f("pk_doc_inventory_snapshot")
        ),
    )
    op.create_index(
        op.f("ix_doc_inventory_snapshot__doc_key"),
        "doc_inventory_snapshot",
        ["_doc_key"],
        unique=False,
    )
    op.create_table(
        "doc_material",
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("name_zh", sa.String(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("base_unit", sa.String(), nullable=False),
        sa.Column("gtin", sa.String(), nullable=True),
        sa.Column("spec", sa.String(), nullable=True),
        sa.Column("net_weight_kg", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("shelf_life_days", sa.BigInteger(), nullable=True),
        sa.Column("_submission_id", sa.String(length=36), nullable=False),
        sa.Column("_source_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("_doc_key", sa.String(), nullable=False),
        sa.Column("_doc_version", sa.Integer(), nullable=False),
        sa.Column("_submitted_by", sa.String(), nullable=False),
        sa.Column("_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("_standard_version", sa.String(), nullable=False),
        sa.Column("_source_file", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("_submission_id", "_source_row", name=op.f("pk_doc_material")),
    )
    op.create_index(op.f("ix_doc_material__doc_key"), "doc_material", ["_doc_key"], unique=False)
    op.create_table(
        "doc_material_crosswalk",
        sa.Column("partner_id", sa.String(), nullable=False),
        sa.Column("partner_material_code", sa.String(), nullable=False),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("partner_unit", sa.String(), nullable=True),
        sa.Column("units_per_partner_unit", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("_submission_id", sa.String(length=36), nullable=False),
        sa.Column("_source_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("_doc_key", sa.String(), nullable=False),
        sa.Column("_doc_version", sa.Integer(), nullable=False),
        sa.Column("_submitted_by", sa.String(), nullable=False),
        sa.Column("_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("_standard_version", sa.String(), nullable=False),
        sa.Column("_source_file", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint(
            "_submission_id", "_source_row", name=op.f("pk_doc_material_crosswalk")
        ),
    )
    op.create_index(
        op.f("ix_doc_material_crosswalk__doc_key"),
        "doc_material_crosswalk",
        ["_doc_key"],
        unique=False,
    )
    op.create_table(
        "doc_partner",
        sa.Column("partner_id", sa.String(), nullable=False),
        sa.Column("name_zh", sa.String(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("roles", sa.String(), nullable=False),
        sa.Column("tier", sa.BigInteger(), nullable=False),
        sa.Column("country", sa.String(), nullable=False),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("uscc", sa.String(), nullable=True),
        sa.Column("gln", sa.String(), nullable=True),
        sa.Column("_submission_id", sa.String(length=36), nullable=False),
        sa.Column("_source_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("_doc_key", sa.String(), nullable=False),
        sa.Column("_doc_version", sa.Integer(), nullable=False),
        sa.Column("_submitted_by", sa.String(), nullable=False),
        sa.Column("_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("_standard_version", sa.String(), nullable=False),
        sa.Column("_source_file", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("_submission_id", "_source_row", name=op.f("pk_doc_partner")),
    )
    op.create_index(op.f("ix_doc_partner__doc_key"), "doc_partner", ["_doc_key"], unique=False)
    op.create_table(
        "doc_production_order",
        sa.Column("order_number", sa.String(), nullable=False),
        sa.Column("manufacturer_id", sa.String(), nullable=False),
        sa.Column("site_id", sa.String(), nullable=False),
        sa.Column("work_centre_id", sa.String(), nullable=True),
        sa.Column("product_code", sa.String(), nullable=False),
        sa.Column("product_unit", sa.String(), nullable=False),
        sa.Column("planned_quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("actual_quantity", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("planned_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actual_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actual_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("line_no", sa.BigInteger(), nullable=False),
        sa.Column("direction", sa.String(), nullable=False),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("lot_number", sa.String(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("_submission_id", sa.String(length=36), nullable=False),
        sa.Column("_source_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("_doc_key", sa.String(), nullable=False),
        sa.Column("_doc_version", sa.Integer(), nullable=False),
        sa.Column("_submitted_by", sa.String(), nullable=False),
        sa.Column("_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("_standard_version", sa.String(), nullable=False),
        sa.Column("_source_file", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint(
            "_submission_id", "_source_row", name=op.f("pk_doc_production_order")
        ),
    )
    op.create_index(
        op.f("ix_doc_production_order__doc_key"), "doc_production_order", ["_doc_key"], unique=False
    )
    op.create_table(
        "doc_purchase_order",
        sa.Column("po_number", sa.String(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("buyer_id", sa.String(), nullable=False),
        sa.Column("supplier_id", sa.String(), nullable=False),
        sa.Column("ship_to_site", sa.String(), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("line_no", sa.BigInteger(), nullable=False),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("requested_date", sa.Date(), nullable=False),
        sa.Column("confirmed_date", sa.Date(), nullable=True),
        sa.Column("confirmed_quantity", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("line_status", sa.String(), nullable=False),
        sa.Column("cancel_reason", sa.String(), nullable=True),
        sa.Column("_submission_id", sa.String(length=36), nullable=False),
        sa.Column("_source_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("_doc_key", sa.String(), nullable=False),
        sa.Column("_doc_version", sa.Integer(), nullable=False),
        sa.Column("_submitted_by", sa.String(), nullable=False),
        sa.Column("_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("_standard_version", sa.String(), nullable=False),
        sa.Column("_source_file", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint(
            "_submission_id", "_source_row", name=op.f("pk_doc_purchase_order")
        ),
    )
    op.create_index(
        op.f("ix_doc_purchase_order__doc_key"), "doc_purchase_order", ["_doc_key"], unique=False
    )
    op.create_table(
        "doc_quality_inspection",
        sa.Column("inspection_number", sa.String(), nullable=False),
        sa.Column("inspector_id", sa.String(), nullable=False),
        sa.Column("supplier_id", sa.String(), nullable=True),
        sa.Column("site_id", sa.String(), nullable=False),
        sa.Column("inspected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inspection_type", sa.String(), nullable=False),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("lot_number", sa.String(), nullable=False),
        sa.Column("sample_size", sa.BigInteger(), nullable=False),
        sa.Column("result", sa.String(), nullable=False),
        sa.Column("line_no", sa.BigInteger(), nullable=False),
        sa.Column("characteristic", sa.String(), nullable=False),
        sa.Column("measured_value", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("nominal", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("lower_limit", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("upper_limit", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("measure_unit", sa.String(), nullable=True),
        sa.Column("line_result", sa.String(), nullable=False),
        sa.Column("_submission_id", sa.String(length=36), nullable=False),
        sa.Column("_source_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("_doc_key", sa.String(), nullable=False),
        sa.Column("_doc_version", sa.Integer(), nullable=False),
        sa.Column("_submitted_by", sa.String(), nullable=False),
        sa.Column("_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("_standard_version", sa.String(), nullable=False),
        sa.Column("_source_file", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint(
            "_submission_id", "_source_row", name=op.f("pk_doc_quality_inspection")
        ),
    )
    op.create_index(
        op.f("ix_doc_quality_inspection__doc_key"),
        "doc_quality_inspection",
        ["_doc_key"],
        unique=False,
    )
    op.create_table(
        "doc_routing",
        sa.Column("owner_id", sa.String(), nullable=False),
        sa.Column("site_id", sa.String(), nullable=False),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("operation_no", sa.BigInteger(), nullable=False),
        sa.Column("work_centre_id", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("setup_minutes", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("run_minutes_per_unit", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("_submission_id", sa.String(length=36), nullable=False),
        sa.Column("_source_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("_doc_key", sa.String(), nullable=False),
        sa.Column("_doc_version", sa.Integer(), nullable=False),
        sa.Column("_submitted_by", sa.String(), nullable=False),
        sa.Column("_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("_standard_version", sa.String(), nullable=False),
        sa.Column("_source_file", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("_submission_id", "_source_row", name=op.f("pk_doc_routing")),
    )
    op.create_index(op.f("ix_doc_routing__doc_key"), "doc_routing", ["_doc_key"], unique=False)
    op.create_table(
        "doc_sales_order",
        sa.Column("so_number", sa.String(), nullable=False),
        sa.Column("seller_id", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("ship_from_site", sa.String(), nullable=True),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("line_no", sa.BigInteger(), nullable=False),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("requested_date", sa.Date(), nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=True),
        sa.Column("line_status", sa.String(), nullable=False),
        sa.Column("_submission_id", sa.String(length=36), nullable=False),
        sa.Column("_source_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("_doc_key", sa.String(), nullable=False),
        sa.Column("_doc_version", sa.Integer(), nullable=False),
        sa.Column("_submitted_by", sa.String(), nullable=False),
        sa.Column("_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("_standard_version", sa.String(), nullable=False),
        sa.Column("_source_file", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("_submission_id", "_source_row", name=op.f("pk_doc_sales_order")),
    )
    op.create_index(
        op.f("ix_doc_sales_order__doc_key"), "doc_sales_order", ["_doc_key"], unique=False
    )
    op.create_table(
        "doc_shipment",
        sa.Column("shipment_number", sa.String(), nullable=False),
        sa.Column("shipper_id", sa.String(), nullable=False),
        sa.Column("receiver_id", sa.String(), nullable=False),
        sa.Column("ship_from_site", sa.String(), nullable=False),
        sa.Column("ship_to_site", sa.String(), nullable=False),
        sa.Column("ship_date", sa.Date(), nullable=False),
        sa.Column("expected_delivery_date", sa.Date(), nullable=False),
        sa.Column("carrier", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("line_no", sa.BigInteger(), nullable=False),
        sa.Column("po_number", sa.String(), nullable=True),
        sa.Column("po_line_no", sa.BigInteger(), nullable=True),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("lot_number", sa.String(), nullable=False),
        sa.Column("supplier_batch", sa.String(), nullable=True),
        sa.Column("production_date", sa.Date(), nullable=True),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("_submission_id", sa.String(length=36), nullable=False),
        sa.Column("_source_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("_doc_key", sa.String(), nullable=False),
        sa.Column("_doc_version", sa.Integer(), nullable=False),
        sa.Column("_submitted_by", sa.String(), nullable=False),
        sa.Column("_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("_standard_version", sa.String(), nullable=False),
        sa.Column("_source_file", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("_submission_id", "_source_row", name=op.f("pk_doc_shipment")),
    )
    op.create_index(op.f("ix_doc_shipment__doc_key"), "doc_shipment", ["_doc_key"], unique=False)
    op.create_table(
        "doc_site",
        sa.Column("site_id", sa.String(), nullable=False),
        sa.Column("partner_id", sa.String(), nullable=False),
        sa.Column("name_zh", sa.String(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("site_type", sa.String(), nullable=False),
        sa.Column("province", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=False),
        sa.Column("country", sa.String(), nullable=False),
        sa.Column("gln", sa.String(), nullable=True),
        sa.Column("_submission_id", sa.String(length=36), nullable=False),
        sa.Column("_source_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("_doc_key", sa.String(), nullable=False),
        sa.Column("_doc_version", sa.Integer(), nullable=False),
        sa.Column("_submitted_by", sa.String(), nullable=False),
        sa.Column("_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("_standard_version", sa.String(), nullable=False),
        sa.Column("_source_file", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("_submission_id", "_source_row", name=op.f("pk_doc_site")),
    )
    op.create_index(op.f("ix_doc_site__doc_key"), "doc_site", ["_doc_key"], unique=False)
    op.create_table(
        "doc_work_centre",
        sa.Column("partner_id", sa.String(), nullable=False),
        sa.Column("site_id", sa.String(), nullable=False),
        sa.Column("work_centre_id", sa.String(), nullable=False),
        sa.Column("name_zh", sa.String(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("machines", sa.BigInteger(), nullable=False),
        sa.Column("hours_per_day", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("_submission_id", sa.String(length=36), nullable=False),
        sa.Column("_source_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("_doc_key", sa.String(), nullable=False),
        sa.Column("_doc_version", sa.Integer(), nullable=False),
        sa.Column("_submitted_by", sa.String(), nullable=False),
        sa.Column("_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("_standard_version", sa.String(), nullable=False),
        sa.Column("_source_file", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("_submission_id", "_source_row", name=op.f("pk_doc_work_centre")),
    )
    op.create_index(
        op.f("ix_doc_work_centre__doc_key"), "doc_work_centre", ["_doc_key"], unique=False
    )
    op.create_table(
        "submissions",
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(), nullable=False),
        sa.Column("document_type", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source_file", sa.String(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("standard_version", sa.String(), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("document_count", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_submissions")),
        sa.UniqueConstraint(
            "partner_id",
            "document_type",
            "content_hash",
            name=op.f("uq_submissions_partner_id_document_type_content_hash"),
        ),
    )

    for name in _TYPES:
        # The latest version of each document: every line of the version with the highest number.
        op.execute(
            f"CREATE VIEW current_{name} AS SELECT d.* FROM doc_{name} AS d "
            f"JOIN (SELECT _doc_key, max(_doc_version) AS _latest FROM doc_{name} "
            "GROUP BY _doc_key) AS v ON d._doc_key = v._doc_key AND d._doc_version = v._latest"
        )


def downgrade() -> None:
    """Revert this revision."""
    for name in _TYPES:
        op.execute(f"DROP VIEW current_{name}")
    op.drop_table("submissions")
    op.drop_index(op.f("ix_doc_work_centre__doc_key"), table_name="doc_work_centre")
    op.drop_table("doc_work_centre")
    op.drop_index(op.f("ix_doc_site__doc_key"), table_name="doc_site")
    op.drop_table("doc_site")
    op.drop_index(op.f("ix_doc_shipment__doc_key"), table_name="doc_shipment")
    op.drop_table("doc_shipment")
    op.drop_index(op.f("ix_doc_sales_order__doc_key"), table_name="doc_sales_order")
    op.drop_table("doc_sales_order")
    op.drop_index(op.f("ix_doc_routing__doc_key"), table_name="doc_routing")
    op.drop_table("doc_routing")
    op.drop_index(op.f("ix_doc_quality_inspection__doc_key"), table_name="doc_quality_inspection")
    op.drop_table("doc_quality_inspection")
    op.drop_index(op.f("ix_doc_purchase_order__doc_key"), table_name="doc_purchase_order")
    op.drop_table("doc_purchase_order")
    op.drop_index(op.f("ix_doc_production_order__doc_key"), table_name="doc_production_order")
    op.drop_table("doc_production_order")
    op.drop_index(op.f("ix_doc_partner__doc_key"), table_name="doc_partner")
    op.drop_table("doc_partner")
    op.drop_index(op.f("ix_doc_material_crosswalk__doc_key"), table_name="doc_material_crosswalk")
    op.drop_table("doc_material_crosswalk")
    op.drop_index(op.f("ix_doc_material__doc_key"), table_name="doc_material")
    op.drop_table("doc_material")
    op.drop_index(op.f("ix_doc_inventory_snapshot__doc_key"), table_name="doc_inventory_snapshot")
    op.drop_table("doc_inventory_snapshot")
    op.drop_index(op.f("ix_doc_goods_receipt__doc_key"), table_name="doc_goods_receipt")
    op.drop_table("doc_goods_receipt")
    op.drop_index(op.f("ix_doc_demand_forecast__doc_key"), table_name="doc_demand_forecast")
    op.drop_table("doc_demand_forecast")
    op.drop_index(op.f("ix_doc_bom__doc_key"), table_name="doc_bom")
    op.drop_table("doc_bom")
