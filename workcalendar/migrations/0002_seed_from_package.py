from django.db import migrations


def seed(apps, schema_editor):
    from workcalendar.calendar import package_days_of, package_years

    CalendarYear = apps.get_model("workcalendar", "CalendarYear")
    CalendarDay = apps.get_model("workcalendar", "CalendarDay")
    for year in package_years():
        if CalendarYear.objects.filter(year=year).exists():
            continue
        entry = CalendarYear.objects.create(year=year, complete=True, source="package",
                                            note="国务院办公厅公布的节假日安排（随系统提供）")
        CalendarDay.objects.bulk_create(
            CalendarDay(year=entry, date=day, kind=kind, name=name)
            for day, kind, name in package_days_of(year))


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_calendar")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
