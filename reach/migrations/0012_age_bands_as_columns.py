"""The split of the check figures by age band moves from rows of the check breakdown to
columns of the cell's row (reach/models.py ``AGE_BANDS``): the figures already stored go
with it (each band's row into its columns, a band the API no longer accepts into those of
"", not given; then the rows go), and come back as rows when the migration is reversed."""

from django.db import migrations, models


# As of this migration: the bands of the API, then "" for none given.
BANDS = {"under_18": "under_18", "18_34": "18_34", "35_59": "35_59", "60_plus": "60_plus", "": "none"}
FIGURES = {"checks_shown": "shown", "checks_heeded": "heeded", "checks_proceeded": "proceeded", "protected_funds": "protected_funds"}
DAILY = "reach_reachdaily"
BREAKDOWN = "reach_checkbreakdowndaily"


def _rows_to_columns(apps, schema_editor):
    named = ", ".join(f"'{code}'" for code in BANDS if code)
    sums, sets = [], []
    for code, band in BANDS.items():
        match = f"code = '{code}'" if code else f"code NOT IN ({named})"
        for figure, column in FIGURES.items():
            sums.append(f"SUM(CASE WHEN {match} THEN {figure} ELSE 0 END) AS band_{band}_{column}")
            sets.append(f"band_{band}_{column} = b.band_{band}_{column}")
    schema_editor.execute(
        f"UPDATE {DAILY} SET {', '.join(sets)} FROM (SELECT county_code, day, {', '.join(sums)} "
        f"FROM {BREAKDOWN} WHERE dimension = 'age_band' GROUP BY county_code, day) b "
        f"WHERE {DAILY}.county_code = b.county_code AND {DAILY}.day = b.day"
    )
    schema_editor.execute(f"DELETE FROM {BREAKDOWN} WHERE dimension = 'age_band'")


def _columns_to_rows(apps, schema_editor):
    parts = []
    for code, band in BANDS.items():
        figures = ", ".join(f"band_{band}_{column}" for column in FIGURES.values())
        some = " OR ".join(f"band_{band}_{column} <> 0" for column in FIGURES.values())
        parts.append(
            f"SELECT county_code, prefecture_code, province_code, day, 'age_band', '{code}', "
            f"{figures} FROM {DAILY} WHERE {some}"
        )
    schema_editor.execute(
        f"INSERT INTO {BREAKDOWN} (county_code, prefecture_code, province_code, day, dimension, "
        f"code, {', '.join(FIGURES)}) {' UNION ALL '.join(parts)}"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('reach', '0011_breakdown_area_day_first'),
    ]

    operations = [
        migrations.AddField(
            model_name='reachdaily',
            name='band_18_34_heeded',
            field=models.PositiveIntegerField(default=0, verbose_name='18 to 34: heeded'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_18_34_proceeded',
            field=models.PositiveIntegerField(default=0, verbose_name='18 to 34: proceeded'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_18_34_protected_funds',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='18 to 34: protected funds'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_18_34_shown',
            field=models.PositiveIntegerField(default=0, verbose_name='18 to 34: transfer checks shown'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_35_59_heeded',
            field=models.PositiveIntegerField(default=0, verbose_name='35 to 59: heeded'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_35_59_proceeded',
            field=models.PositiveIntegerField(default=0, verbose_name='35 to 59: proceeded'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_35_59_protected_funds',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='35 to 59: protected funds'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_35_59_shown',
            field=models.PositiveIntegerField(default=0, verbose_name='35 to 59: transfer checks shown'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_60_plus_heeded',
            field=models.PositiveIntegerField(default=0, verbose_name='60 and over: heeded'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_60_plus_proceeded',
            field=models.PositiveIntegerField(default=0, verbose_name='60 and over: proceeded'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_60_plus_protected_funds',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='60 and over: protected funds'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_60_plus_shown',
            field=models.PositiveIntegerField(default=0, verbose_name='60 and over: transfer checks shown'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_none_heeded',
            field=models.PositiveIntegerField(default=0, verbose_name='Not given: heeded'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_none_proceeded',
            field=models.PositiveIntegerField(default=0, verbose_name='Not given: proceeded'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_none_protected_funds',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='Not given: protected funds'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_none_shown',
            field=models.PositiveIntegerField(default=0, verbose_name='Not given: transfer checks shown'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_under_18_heeded',
            field=models.PositiveIntegerField(default=0, verbose_name='Under 18: heeded'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_under_18_proceeded',
            field=models.PositiveIntegerField(default=0, verbose_name='Under 18: proceeded'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_under_18_protected_funds',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='Under 18: protected funds'),
        ),
        migrations.AddField(
            model_name='reachdaily',
            name='band_under_18_shown',
            field=models.PositiveIntegerField(default=0, verbose_name='Under 18: transfer checks shown'),
        ),
        migrations.RunPython(_rows_to_columns, _columns_to_rows),
    ]
