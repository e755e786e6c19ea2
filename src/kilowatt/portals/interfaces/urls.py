"""Pages: the back office (staff) and a customer's own pages (``/my/...``)."""

from django.urls import path

from kilowatt.portals.interfaces import pages

app_name = "portals"

urlpatterns = [
    path("", pages.home, name="home"),
    path("login/", pages.sign_in, name="sign_in"),
    path("logout/", pages.sign_out, name="sign_out"),
    path("my/meter-readings/", pages.my_meter_readings, name="my_meter_readings"),
    path("my/bills/", pages.my_bills, name="my_bills"),
    path("my/move-home/", pages.my_move_home, name="my_move_home"),
    path("moves/move-in/", pages.move_in, name="move_in"),
    path("my/bills/<int:invoice_id>/changes/", pages.my_bill_changes, name="my_bill_changes"),
    path("accounts/<str:number>/bills/", pages.account_bills, name="account_bills"),
    path(
        "accounts/<str:number>/bills/<int:invoice_id>/changes/",
        pages.account_bill_changes,
        name="account_bill_changes",
    ),
    path("customers/", pages.search, name="search"),
    path("customers/<str:number>/", pages.customer, name="customer"),
    path("meter-points/<str:identifier>/book/", pages.book_appointment, name="book_appointment"),
    path("meter-points/<str:identifier>/booked/", pages.booked, name="booked"),
    path("field/jobs/", pages.field_jobs, name="field_jobs"),
    path("field/jobs/<int:job_id>/", pages.field_job, name="field_job"),
    path("reads/exceptions/", pages.read_exceptions, name="read_exceptions"),
    path("reads/exceptions/<int:read_id>/", pages.read_exception, name="read_exception"),
    path(
        "reads/exceptions/<int:read_id>/photo/",
        pages.read_exception_photo,
        name="read_exception_photo",
    ),
    path("reads/settlement-flags/", pages.settlement_flags, name="settlement_flags"),
    path(
        "reads/settlement-flags/<int:change_id>/review/",
        pages.review_settlement_flag,
        name="review_settlement_flag",
    ),
    path("billing/runs/", pages.bill_runs, name="bill_runs"),
    path("billing/runs/<int:run_id>/", pages.bill_run, name="bill_run"),
    path("billing/exceptions/", pages.bill_exceptions, name="bill_exceptions"),
    path("billing/exceptions/<int:invoice_id>/", pages.bill_exception, name="bill_exception"),
    path("cases/", pages.cases, name="cases"),
    path("cases/<int:case_id>/", pages.case, name="case"),
    path(
        "customers/<str:number>/contact-details/",
        pages.contact_details,
        name="contact_details",
    ),
    # The sales force: shop agents, regional sales managers, telesales, the admin team.
    path("sales/agent/", pages.sales_agent, name="sales_agent"),
    path("sales/agent/new/", pages.sales_agent_new, name="sales_agent_new"),
    path(
        "sales/agent/orders/<str:reference>/",
        pages.sales_agent_order,
        name="sales_agent_order",
    ),
    path("sales/pipeline/", pages.sales_pipeline, name="sales_pipeline"),
    path("sales/telesales/", pages.sales_telesales, name="sales_telesales"),
    path("sales/telesales/new/", pages.sales_telesales_new, name="sales_telesales_new"),
    path("sales/exceptions/", pages.sales_exceptions, name="sales_exceptions"),
    path(
        "sales/exceptions/<str:reference>/",
        pages.sales_exception,
        name="sales_exception",
    ),
    # The public web sign-up, signing a contract and cancelling in cooling-off.
    path("sign-up/", pages.sign_up_quote, name="sign_up_quote"),
    path("sign-up/details/", pages.sign_up_details, name="sign_up_details"),
    path("sign-up/supply/", pages.sign_up_supply, name="sign_up_supply"),
    path("sign-up/payment/", pages.sign_up_payment, name="sign_up_payment"),
    path("sign-up/review/", pages.sign_up_review, name="sign_up_review"),
    path("sign-up/received/", pages.sign_up_received, name="sign_up_received"),
    path("sign-up/cancel/<str:token>/", pages.cancel, name="sign_up_cancel"),
    path("sign/<str:token>/", pages.sign, name="sign"),
    path("sign/<str:token>/code/", pages.send_code, name="send_signing_code"),
    path("sign/<str:token>/contract.pdf", pages.contract_pdf, name="sign_contract_pdf"),
    path("sign/<str:token>/signed/", pages.signed, name="signed"),
    path("sign/<str:token>/signed.pdf", pages.signed_contract_pdf, name="signed_contract_pdf"),
]
