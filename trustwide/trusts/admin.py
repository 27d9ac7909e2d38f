from django.contrib import admin

from .models import AcademicYear, Hub, Inspection, School, Term, Trust

admin.site.register([Trust, Hub, Inspection, AcademicYear, Term])


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "urn", "phase", "trust", "hub"]
    list_filter = ["trust", "phase"]
    search_fields = ["name", "urn"]
