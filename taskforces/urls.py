from taskforces.views import actions, meetings, plans, taskforces

app_name = "taskforces"

urlpatterns = (
    taskforces.urlpatterns + meetings.urlpatterns + plans.urlpatterns + actions.urlpatterns
)
