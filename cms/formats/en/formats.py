# English dates as the site has always written them: "December 29, 2023" (Django's own English
# format abbreviates months: "Dec. 29, 2023").
DATE_FORMAT = "F j, Y"
DATETIME_FORMAT = "F j, Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
