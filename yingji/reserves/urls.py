from django.urls import path

from yingji.reserves import dispatch, requirements, views, walks

app_name = "reserves"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("inventory.xlsx", views.inventory_export, name="inventory_export"),
    path("ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("survey.docx", views.survey, name="survey"),
    path("import/", views.inventory_import, name="import"),
    path("stores/<int:pk>/", views.store_detail, name="store"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/inspect/", views.item_inspect, name="inspect"),
    path("items/<int:pk>/repaired/", views.item_repaired, name="repaired"),
    path("items/<int:pk>/label.pdf", walks.item_label, name="item_label"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("stores/<int:pk>/labels.pdf", walks.store_labels, name="store_labels"),
    path("locations/<int:pk>/", walks.location_detail, name="location"),
    path("locations/<int:pk>/label.pdf", walks.location_label, name="location_label"),
    path("locations/<int:pk>/stocktake/", walks.stocktake_start, name="stocktake_start"),
    path("stocktakes/<int:pk>/", walks.stocktake_detail, name="stocktake"),
    path("stocktakes/<int:pk>/seen/", walks.stocktake_mark, name="stocktake_mark"),
    path("stocktakes/<int:pk>/finish/", walks.stocktake_finish, name="stocktake_finish"),
    path("incidents/<int:pk>/request/", dispatch.request_spare, name="dispatch_request"),
    path("dispatches/<int:pk>/issue/", dispatch.issue, name="dispatch_issue"),
    path("dispatches/<int:pk>/back/", dispatch.back, name="dispatch_back"),
    path("dispatches/<int:pk>/cancel/", dispatch.cancel, name="dispatch_cancel"),
    path(
        "plan-versions/<int:pk>/requirements/", requirements.requirements_save, name="requirements"
    ),
]
