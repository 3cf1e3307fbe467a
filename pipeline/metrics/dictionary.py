"""The metric dictionary: what each number means on each platform, in French and English.

Evaluators must defend their figures, and the platforms count differently (a Facebook
view counts after 3 seconds of play; a YouTube view is counted by YouTube's own rules,
which exclude automated and repeated plays and have no published minimum duration).
The report prints these definitions next to the numbers, and only sums across platforms
the metrics marked `summable`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    """One platform's meaning of a metric, and where it comes from."""

    source: str        # API and field, e.g. "YouTube Analytics: views"
    fr: str
    en: str


@dataclass(frozen=True)
class Metric:
    key: str
    label_fr: str
    label_en: str
    unit: str          # count | minutes | seconds | percent
    summable: bool     # may be added across platforms (same meaning on both)
    platforms: dict[str, Definition]
    note_fr: str = ""  # why it may not be summed, or another caveat


def _m(key: str, label_fr: str, label_en: str, unit: str, summable: bool, note_fr: str = "",
       **platforms: Definition) -> Metric:
    return Metric(key, label_fr, label_en, unit, summable, dict(platforms), note_fr)


D = Definition
METRICS: dict[str, Metric] = {m.key: m for m in (
    _m("views", "Vues", "Views", "count", False,
       "Non additionnable : une vue Facebook compte dès 3 secondes, une vue YouTube suit d'autres règles.",
       youtube=D("YouTube Analytics : views",
                 "Lectures légitimes comptées par YouTube (lectures automatiques ou répétées exclues) ; "
                 "pas de durée minimale publiée.",
                 "Legitimate plays counted by YouTube (automated or repeated plays excluded); "
                 "no published minimum duration."),
       facebook=D("Graph video_insights : total_video_views (Reels : blue_reels_play_count)",
                  "Nombre de fois où la vidéo a été lue au moins 3 secondes (ou jusqu'au bout si plus courte). "
                  "Reels (extraits verticaux) : lectures démarrées, sans durée minimale.",
                  "Times the video was played for at least 3 seconds (or to the end if shorter). "
                  "Reels (vertical clips): plays started, no minimum duration.")),
    _m("unique_viewers", "Spectateurs uniques", "Unique viewers", "count", False,
       "Facebook seulement ; une même personne sur les deux plateformes ne peut pas être dédoublonnée.",
       facebook=D("Graph video_insights : total_video_views_unique",
                  "Personnes distinctes ayant vu la vidéo au moins 3 secondes.",
                  "Distinct people who watched the video for at least 3 seconds.")),
    _m("watch_minutes", "Temps de visionnage (minutes)", "Watch time (minutes)", "minutes", True,
       "Additionnable : minutes réellement regardées sur chaque plateforme.",
       youtube=D("YouTube Analytics : estimatedMinutesWatched",
                 "Minutes regardées (estimation de YouTube).", "Minutes watched (YouTube's estimate)."),
       facebook=D("Graph video_insights : total_video_view_total_time (ms → min)",
                  "Durée totale de lecture, toutes vues confondues.", "Total play time across all views.")),
    _m("avg_view_seconds", "Durée moyenne de visionnage (s)", "Average view duration (s)", "seconds", False,
       "Moyenne : ne s'additionne pas.",
       youtube=D("YouTube Analytics : averageViewDuration", "Durée moyenne d'une lecture, en secondes.",
                 "Average length of a play, in seconds."),
       facebook=D("Graph video_insights : total_video_avg_time_watched (ms → s)",
                  "Durée moyenne regardée par vue (vues de 3 s et plus).",
                  "Average time watched per view (views of 3 s or more).")),
    _m("avg_view_percentage", "Pourcentage moyen regardé", "Average percentage viewed", "percent", False,
       "Moyenne : ne s'additionne pas.",
       youtube=D("YouTube Analytics : averageViewPercentage", "Part moyenne de la vidéo regardée par lecture.",
                 "Average share of the video watched per play.")),
    _m("complete_views", "Vues complètes", "Complete views", "count", False,
       "Facebook seulement (YouTube ne publie pas ce nombre).",
       facebook=D("Graph video_insights : total_video_complete_views",
                  "Lectures allant jusqu'à 95 % de la durée de la vidéo.",
                  "Plays that reached 95% of the video's length.")),
    _m("complete_views_pct", "Vues complètes (% des vues)", "Complete views (% of views)", "percent", False,
       "Facebook seulement ; ne se compare pas au pourcentage moyen regardé de YouTube (autre mesure).",
       facebook=D("calculé : total_video_complete_views ÷ total_video_views",
                  "Part des vues (3 s) qui sont allées jusqu'à 95 % de la vidéo.",
                  "Share of 3-second views that reached 95% of the video.")),
    _m("likes", "J'aime / réactions", "Likes / reactions", "count", False,
       "Non additionnable : un « J'aime » YouTube n'est pas une réaction Facebook (6 types).",
       youtube=D("YouTube Analytics : likes", "Clics sur « J'aime » pendant la période (moins les retraits).",
                 "Likes during the period (net of removals)."),
       facebook=D("Graph video_insights : total_video_reactions_by_type_total",
                  "Réactions (J'aime, J'adore, Haha, Wouah, Triste, Grr), par type et au total.",
                  "Reactions (like, love, haha, wow, sad, angry), by type and in total.")),
    _m("comments", "Commentaires", "Comments", "count", True,
       youtube=D("YouTube Analytics : comments", "Commentaires publiés.", "Comments posted."),
       facebook=D("Graph video_insights : total_video_stories_by_action_type (comment)",
                  "Commentaires sur la publication de la vidéo.", "Comments on the video's post.")),
    _m("shares", "Partages", "Shares", "count", True,
       "Additionnable avec prudence : un partage YouTube est un clic sur « Partager ».",
       youtube=D("YouTube Analytics : shares", "Clics sur le bouton « Partager ».", "Clicks on the Share button."),
       facebook=D("Graph video_insights : total_video_stories_by_action_type (share)",
                  "Partages de la publication.", "Shares of the post.")),
    _m("subscribers_gained", "Abonnés gagnés", "Subscribers gained", "count", False,
       "YouTube seulement.",
       youtube=D("YouTube Analytics : subscribersGained", "Abonnements pris depuis la page de la vidéo.",
                 "Subscriptions started from the video's page.")),
    _m("viewer_percentage", "Part des spectateurs (%)", "Viewer percentage", "percent", False,
       "Pourcentage des spectateurs connectés ; ne s'additionne pas.",
       youtube=D("YouTube Analytics : viewerPercentage (ageGroup, gender)",
                 "Part des spectateurs connectés dans chaque tranche d'âge et genre.",
                 "Share of signed-in viewers in each age group and gender.")),
    _m("public_views", "Compteur public de vues", "Public view counter", "count", False,
       "Compteur affiché sous la vidéo ; en avance sur YouTube Analytics, qui a 1 à 2 jours de retard.",
       youtube=D("YouTube Data API : statistics.viewCount", "Compteur public de vues, depuis la mise en ligne.",
                 "Public view counter, since upload.")),
    _m("public_likes", "Compteur public de J'aime", "Public like counter", "count", False,
       youtube=D("YouTube Data API : statistics.likeCount", "Compteur public de « J'aime ».", "Public like counter.")),
    _m("public_comments", "Compteur public de commentaires", "Public comment counter", "count", False,
       youtube=D("YouTube Data API : statistics.commentCount", "Nombre public de commentaires.",
                 "Public comment count.")),
    _m("engagement_rate", "Taux d'engagement (%)", "Engagement rate (%)", "percent", False,
       "Calculé par ce rapport : (J'aime ou réactions + commentaires + partages) ÷ vues × 100, "
       "sur chaque plateforme séparément.",
       youtube=D("calculé", "(likes + comments + shares) ÷ views × 100.", "(likes + comments + shares) / views × 100."),
       facebook=D("calculé", "(réactions + commentaires + partages) ÷ vues (3 s) × 100.",
                  "(reactions + comments + shares) / views (3 s) × 100.")),
)}


def metric(key: str) -> Metric:
    return METRICS[key]


# Raw platform names -> dictionary keys (and a scale to our unit).
YOUTUBE_ANALYTICS = {
    "views": ("views", 1.0), "estimatedMinutesWatched": ("watch_minutes", 1.0),
    "averageViewDuration": ("avg_view_seconds", 1.0), "averageViewPercentage": ("avg_view_percentage", 1.0),
    "likes": ("likes", 1.0), "comments": ("comments", 1.0), "shares": ("shares", 1.0),
    "subscribersGained": ("subscribers_gained", 1.0),
}
YOUTUBE_STATISTICS = {"viewCount": "public_views", "likeCount": "public_likes", "commentCount": "public_comments"}
FACEBOOK_INSIGHTS = {
    "total_video_views": ("views", 1.0),
    "total_video_views_unique": ("unique_viewers", 1.0),
    "total_video_avg_time_watched": ("avg_view_seconds", 1 / 1000),
    "total_video_view_total_time": ("watch_minutes", 1 / 60000),
    "total_video_complete_views": ("complete_views", 1.0),
    "total_video_reactions_by_type_total": ("likes", 1.0),
    "total_video_stories_by_action_type": (None, 1.0),  # split: comment -> comments, share -> shares
}
# Reels (vertical clips) answer other video_insights metrics than Page videos.
FACEBOOK_REELS_INSIGHTS = {
    "blue_reels_play_count": ("views", 1.0),
    "post_video_avg_time_watched": ("avg_view_seconds", 1 / 1000),
    "post_video_view_time": ("watch_minutes", 1 / 60000),
    "post_video_likes_by_reaction_type": ("likes", 1.0),
    "post_video_social_actions": (None, 1.0),   # split: COMMENT -> comments, SHARE -> shares
}
AGE_FR = {"age13-17": "13-17 ans", "age18-24": "18-24 ans", "age25-34": "25-34 ans", "age35-44": "35-44 ans",
               "age45-54": "45-54 ans", "age55-64": "55-64 ans", "age65-": "65 ans et +"}
GENDER_FR = {"female": "femmes", "male": "hommes", "user_specified": "autre"}
DEVICE_FR = {"MOBILE": "mobile", "DESKTOP": "ordinateur", "TABLET": "tablette", "TV": "télévision",
             "GAME_CONSOLE": "console", "UNKNOWN_PLATFORM": "inconnu"}
PLATFORM_FR = {"youtube": "YouTube", "facebook": "Facebook", "ensemble": "Ensemble (additionnable)"}
KIND_FR = {"episode": "Épisodes", "trailer": "Bande-annonce", "clip": "Extraits"}
COUNTRY_FR = {"ML": "Mali", "CI": "Côte d'Ivoire", "SN": "Sénégal", "FR": "France", "BF": "Burkina Faso",
              "GN": "Guinée", "US": "États-Unis", "NE": "Niger", "CA": "Canada", "BE": "Belgique"}


REASONS_FR = (  # the dataset keeps the pipeline's English reasons; the report speaks French
    ("YouTube Analytics returned no rows for this video", "YouTube Analytics n'a rien renvoyé pour cette vidéo "
     "(pas encore de vues, ou données pas prêtes : 1 à 2 jours de retard)"),
    ("YouTube returned no rows", "YouTube n'a rien renvoyé (trop peu de spectateurs connectés pour une répartition)"),
    ("hidden on YouTube", "compteur masqué sur YouTube"),
    ("video not found on YouTube", "vidéo introuvable sur YouTube (supprimée ou invisible pour ce compte)"),
    ("Meta returned no insights", "Meta ne fournit pas de statistiques (audience trop faible, ou pas encore traitées)"),
    ("metric refused by Meta", "mesure refusée par Meta (obsolète)"),
    ("not in Meta's answer", "absente de la réponse de Meta (obsolète ou masquée pour cette vidéo)"),
    ("video not found on Facebook", "vidéo introuvable sur Facebook (supprimée ?)"),
    ("not yet published", "pas encore publiée"),
    ("Meta throttled", "Meta a limité les requêtes ; nouvel essai au prochain relevé"),
)


def reason_fr(reason: str) -> str:
    for en, fr in REASONS_FR:
        if reason.startswith(en):
            return f"{fr} [{reason}]" if en == "metric refused by Meta" else fr
    return reason
