# Session deadline rules: an amount and a unit per period.

import django.core.validators
from django.db import migrations, models


def keep_day_limits(apps, schema_editor):
    """Existing sessions keep the deadlines they had: their day counts become
    calendar-day rules. New sessions start from the defaults (3 months, 1 month)."""
    Session = apps.get_model("proposals", "Session")
    for session in Session.objects.all():
        session.lead_due_amount = session.lead_due_days
        session.lead_due_unit = "calendar_days"
        session.co_due_amount = session.co_due_days
        session.co_due_unit = "calendar_days"
        session.save(update_fields=["lead_due_amount", "lead_due_unit", "co_due_amount", "co_due_unit"])


def restore_day_limits(apps, schema_editor):
    """Back to day counts: calendar-day rules keep their number; others fall back to 90/30."""
    Session = apps.get_model("proposals", "Session")
    for session in Session.objects.all():
        session.lead_due_days = (
            session.lead_due_amount if session.lead_due_unit == "calendar_days" else 90
        )
        session.co_due_days = session.co_due_amount if session.co_due_unit == "calendar_days" else 30
        session.save(update_fields=["lead_due_days", "co_due_days"])


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0003_session_due_days'),
    ]

    operations = [
        migrations.AddField(
            model_name='session',
            name='co_due_amount',
            field=models.PositiveSmallIntegerField(default=1, help_text='会办单位自交办之日起向主办单位提出会办意见的期限。', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(366)], verbose_name='会办单位答复期限'),
        ),
        migrations.AddField(
            model_name='session',
            name='co_due_unit',
            field=models.CharField(choices=[('calendar_days', '自然日'), ('calendar_months', '自然月'), ('working_days', '工作日')], default='calendar_months', max_length=20, verbose_name='会办单位答复期限单位'),
        ),
        migrations.AddField(
            model_name='session',
            name='due_soon_days',
            field=models.PositiveSmallIntegerField(default=7, help_text='距办理期限不超过此天数的未答复交办显示为“即将到期”。', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(90)], verbose_name='临近期限提醒天数'),
        ),
        migrations.AddField(
            model_name='session',
            name='feedback_due_amount',
            field=models.PositiveSmallIntegerField(default=1, help_text='提案者自收到答复函之日起反馈意见的期限。', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(366)], verbose_name='反馈期限'),
        ),
        migrations.AddField(
            model_name='session',
            name='feedback_due_unit',
            field=models.CharField(choices=[('calendar_days', '自然日'), ('calendar_months', '自然月'), ('working_days', '工作日')], default='calendar_months', max_length=20, verbose_name='反馈期限单位'),
        ),
        migrations.AddField(
            model_name='session',
            name='lead_due_amount',
            field=models.PositiveSmallIntegerField(default=3, help_text='主办单位和分办单位自交办之日起答复提案者的期限。', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(366)], verbose_name='主办、分办单位答复期限'),
        ),
        migrations.AddField(
            model_name='session',
            name='lead_due_unit',
            field=models.CharField(choices=[('calendar_days', '自然日'), ('calendar_months', '自然月'), ('working_days', '工作日')], default='calendar_months', max_length=20, verbose_name='主办、分办单位答复期限单位'),
        ),
        migrations.AddField(
            model_name='session',
            name='rehandling_due_amount',
            field=models.PositiveSmallIntegerField(default=1, help_text='提案者不满意时，承办单位自重新办理之日起再次答复的期限。', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(366)], verbose_name='重新办理期限'),
        ),
        migrations.AddField(
            model_name='session',
            name='rehandling_due_unit',
            field=models.CharField(choices=[('calendar_days', '自然日'), ('calendar_months', '自然月'), ('working_days', '工作日')], default='calendar_months', max_length=20, verbose_name='重新办理期限单位'),
        ),
        migrations.RunPython(keep_day_limits, restore_day_limits),
    ]
