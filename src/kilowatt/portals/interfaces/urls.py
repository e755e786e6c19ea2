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
]
