"""Generic boilerplate rules, one row per rule, on lines and small pages (no site profile)."""

from __future__ import annotations

import re
from collections import Counter

import lxml.html
import pytest
from trafilatura.utils import load_html

from euspider import boilerplate
from euspider.dom import find_article_scope, visible_text
from euspider.extract import (
    _drop_kickers,
    count_words,
    extract_article,
    link_titles,
    restore_lead,
    strip_headline,
)

from .test_dates_sources import STORY, page

LINES = [
    ("subscribe-cta", "Subscribe now for unlimited access", "paywall_prompt"),
    ("trial", "Start your 14-day free trial today", "paywall_prompt"),
    ("newsletter-label", "PC Gamer Newsletter", "newsletter_prompt"),
    ("cookie", "We use cookies to improve your experience.", "cookie_notice"),
    ("follow", "Follow The Gleaner on Twitter and Instagram @JamaicaGleaner", "share"),
    (
        "app",
        "For the latest stories and breaking news updates download the Nationnews apps for iOS and Android.",
        "app_promo",
    ),
    ("rights", "© 2020 General Mills All Rights Reserved", "rights_notice"),
    ("reprints", "Order Reprints", "rights_notice"),
    ("read-also-en", "Read more: Ministers clash over the budget again", "related"),
    ("read-also-es", "Lea también: Impiden ingreso a Nicaragua a reportero", "related"),
    ("read-also-de-label", "Schon gelesen?", "related"),
    ("read-also-pl-label", "Czytaj też", "related"),
    ("tagged-headline", "China furious at Macron for Hong Kong protest jibe [INSIGHT]|", "related"),
    ("caption-credit", "Credit:", "caption"),
    ("caption-label", "Titelbild:", "caption"),
    ("comments-counter", "View Comments", "furniture"),
    ("legal", "Datenschutz- und Nutzungsbedingungen.", "furniture"),
    ("bare-url", "https://www.barrons.com/articles/home-depot", "url"),
    ("post-meta", "05/10/2018 - Publicado por: Clarissa Borba - Categoria: Saúde", "byline"),
    ("date-only", "27.01.2022", "dateline"),
    ("time-only", "3:59 PM", "dateline"),
    ("month-day", "January 13", "dateline"),
    (
        "credit-in-parentheses",
        "The company rolled out the service this week. (Reed Saxon / Associated Press)",
        "caption",
    ),
    ("credit-line", "(Credit: Clayton Aldern / Grist)", "caption"),
    ("labelled-dateline", "Published 18 November 2019", "dateline"),
    ("contributor", "Fox News' Jessica Napoli contributed to this report.", "rights_notice"),
    ("affiliate", "If you buy something through this post, IGN may get a share of the sale.", "rights_notice"),
    ("meta-row", "January 13, 2020 at 08:45 AM | categories: Python, Mercurial | View Comments", "byline"),
    (
        "closing-blurb",
        "Follow The Gleaner on Twitter and Instagram @JamaicaGleaner and on Facebook @GleanerJamaica. Send us a "
        "message on WhatsApp at 1-876-499-0169 or email us at onlinefeedback@gleanerjm.com",
        "share",
    ),
    ("agency-credit", "AP Photo/Evan Vucci", "caption"),
    ("picture-agency", "Getty Images", "caption"),
    ("updated-at-clock", "Updated at 3:45 p.m. ET", "dateline"),
    ("continues-below", "Story continues below advertisement", "furniture"),
    ("video-player", "Now Playing", "furniture"),
    ("copyright-sign", "© Provided by The Paper", "rights_notice"),
    ("prose-naming-an-agency", "The minister said AFP had been told.", None),
    ("byline-en", "By Jane Doe and John Smith | CNN", "byline"),
    ("byline-de", "Von Max Muster und Eva Beispiel", "byline"),
    ("tags", "Tags: budget, council, reform", "byline"),
    ("prose-starting-with-by", "By Monday, the council had agreed.", None),
    ("prose-with-parenthesis", "The council met in Brussels (its third meeting this year) and agreed.", None),
    ("prose-with-bars", "Scores were level at half time | the second half changed everything for the visitors", None),
    (
        "prose-asking-to-donate",
        "Residents were asked to donate blood at the town hall after the crash, the mayor said on Tuesday evening.",
        None,
    ),
    ("prose", "The minister said on Monday that talks with the unions would continue next week.", None),
    (
        "prose-mentioning-newsletter",
        "The ministry's newsletter to farmers was read by forty thousand people this spring, officials said on Tuesday.",
        None,
    ),
    ("prose-with-a-year", "In June 2020 the council changed the rules.", None),
    # calls to follow the site, in German as in English; a Korean paper's rights notice; an advert label
    ("follow-de", "Folgen Sie uns auf Twitter", "share"),
    ("follow-de-du", "Folgt uns auf unserem neuen Instagram-Account instagram.com/magazin", "share"),
    ("like-us", "Liken Sie uns auf Facebook", "share"),
    ("rights-ko", "<저작권자ⓒ일보사. 무단전재-재배포 금지>", "rights_notice"),
    ("ad-label", "Ad", "furniture"),
    ("prose-following", "Die Polizei bat die Zeugen, ihr auf die Wache zu folgen.", None),
    # the post's tags as hashtags; a hashtag inside prose stays
    ("hashtags", "#QAnon#Macht#Sexualwissenschaft#Kinderschutz", "byline"),
    ("hashtags-spaced", "#climate #energy, #policy", "byline"),
    ("prose-with-hashtag", "#MeToo changed how the industry hires, the study found.", None),
    ("ranking", "#1", None),
    # a creation or edit stamp, and a date's label left alone when the date itself went with the chrome
    ("created-stamp", "Créé: 12.12.2019, 07h36", "dateline"),
    ("bare-updated-label", "-Aktualisiert am", "dateline"),
    ("bare-published-label", "Published on", "dateline"),
    ("submitted-by-on", "Submitted by jdoe on", "dateline"),
    ("prose-published-on", "Published on Monday, the report found no fault.", None),
    # a byline with the story's date after it; a picture's zoom hint
    ("dated-byline", "By Evan Jones, August 14, 2020 2:30 pm", "byline"),
    ("dated-byline-de", "Von Max Muster | 14.08.2020", "byline"),
    ("prose-by-a-date", "By Monday, August 14, the council had agreed.", None),
    ("zoom-hint", "Zum Vergrößern bitte anklicken", "furniture"),
    ("zoom-hint-en", "Click to enlarge", "furniture"),
    ("long-paragraph-with-cta-words", " ".join(["The paper said it would not subscribe to the new rules."] * 4), None),
    # an author's address alone on its line; a labelled permalink; a rule or a bar with no word in it
    ("email-alone", "jane.doe@example-paper.com", "url"),
    ("profile-alone", "twitter.com/janedoe", "url"),
    ("www-alone", "www.example-forum.org", "url"),
    ("permalink", "Permalink: https://www.example.org/-abc-123", "url"),
    ("prose-with-slash", "Prices rose 3.5/10 points and/or more, e.g. in Paris.", None),
    ("rule", "______________________________", "furniture"),
    ("bars", "| | | |", "furniture"),
    ("template-slot", "[[(gallery.Image2014) TOPSHOT-EU-SUMMIT]]", "furniture"),
    # a caption closing with its labelled credit; prose with a colon stays
    (
        "credit-label-end",
        "The players leave the pitch after the final whistle Credit : Getty Images/Jane Roe",
        "caption",
    ),
    ("foto-label-end", "Die Ministerin am Montag in Berlin. Foto: dpa", "caption"),
    ("prose-with-images-colon", "The ratio is 3:2 for most images: wide ones are cropped.", None),
    # a teaser cut short with a link to the rest; prose with an ellipsis stays
    (
        "teaser-weiter",
        "Der Windpark verfügt über sieben Anlagen mit einer Leistung von 40 MW, die ... weiter...",
        "related",
    ),
    ("teaser-more", "The council met again on Monday to discuss… Read more ›", "related"),
    ("teaser-weiter-zu", 'Der Schreibstil ist wichtig ... weiter zu "die Wortwahl"', "related"),
    ("prose-ellipsis", "He waited... more than an hour, he said.", None),
    # follow the site on a video or messaging channel
    ("subscribe-on-youtube", "Subscribe to The Example Times on YouTube for more news:", "share"),
    ("now-on-telegram", "The Daily Example is now on Telegram!", "share"),
    # the furniture of news and blog templates: share and follow buttons, WordPress's like box, account
    # buttons, comment prompts, agency photo credits, a post's byline with its time
    ("share-this-colon", "Share this:", "share"),
    ("new-window", "Click to email this to a friend (Opens in new window)", "share"),
    ("follow-handle", "Follow @janedoe", "share"),
    ("like-this", "Like this:", "furniture"),
    ("like-loading", "Like Loading...", "furniture"),
    ("sign-up-button", "Sign up", "furniture"),
    ("subscribe-button", "Subscribe", "furniture"),
    ("prose-subscribe", "He wants to subscribe.", None),
    ("ad-continues", "Advertisement - story continues below", "furniture"),
    # the advertising label in other languages; paid and partner content labels
    ("ad-label-fr", "Publicité", "furniture"),
    ("ad-label-es", "Publicidad", "furniture"),
    ("ad-label-pl", "Reklama", "furniture"),
    ("skip-ad", "Skip Advertisement", "furniture"),
    ("paid-post", "Paid Post", "furniture"),
    ("partner-content", "Partner content", "furniture"),
    ("prose-publicidad", "La publicidad electoral se suspendió el lunes.", None),
    # widgets: expanders, app and script notices, feedback boxes, error reports, account buttons
    ("click-to-expand", "Click to expand", "furniture"),
    ("enable-javascript", "Enable JavaScript to view this content", "furniture"),
    ("open-in-app", "Open in app", "furniture"),
    ("helpful", "Was this article helpful?", "furniture"),
    ("feedback-thanks", "Thanks for your feedback!", "furniture"),
    ("report-error", "Report an error", "furniture"),
    ("weiterlesen", "Weiterlesen", "furniture"),
    ("prose-register", "Voters must register by Friday.", None),
    ("prose-expand", "The company plans to expand into Asia.", None),
    ("subheading-menu", "Menu", None),
    ("story-tip", "Have a story tip? Email us", "share"),
    # bylines in more forms: "Story by", a name with a role or a handle, a credit to the staff or the
    # wires, the date after a dot or "on"; datelines with "Stand:" or a second, updated date
    ("story-by", "Story by Jane Doe", "byline"),
    ("words-by", "Words by Jane Doe and John Roe", "byline"),
    ("name-role", "Jane Doe, Staff Writer", "byline"),
    ("name-bar-role", "Jane Doe | Reporter", "byline"),
    ("name-handle", "Jane Doe @janedoe", "byline"),
    ("staff-reports", "Staff Reports", "byline"),
    ("wire-reports", "From wire reports", "byline"),
    ("byline-dot-date", "By Jane Doe • Nov 18, 2019", "byline"),
    ("byline-on-date", "By Jane Doe on November 18, 2019", "byline"),
    ("stand-date", "Stand: 18.11.2019 10:23 Uhr", "dateline"),
    ("datum", "Datum 28.01.2022", "dateline"),
    (
        "posted-updated",
        "Posted: Nov 18, 2019 / 06:45 PM CST / Updated: Nov 18, 2019 / 06:45 PM CST",
        "dateline",
    ),
    ("email-the-author", "Email the author", "furniture"),
    ("prose-story-by", "Story by story, the archive was rebuilt.", None),
    ("prose-name-role", "Jane Doe, a staff writer, was there.", None),
    ("prose-staff-reports", "Staff reports of the incident differ.", None),
    ("prose-updated-date", "Updated guidance was issued on Nov 18, 2019, after the review of the rules.", None),
    ("prose-date-label", "Date night is on Friday 18 November 2019 at the town hall, organisers said.", None),
    # a comment form's furniture, ad and video rails, polls; a video player's controls and caption
    # dialog printed as text; a magazine's note on an embed
    ("leave-reply", "Leave a Reply Cancel reply", "furniture"),
    ("comments-closed", "Comments are closed.", "furniture"),
    ("logged-in-to-comment", "You must be logged in to post a comment.", "furniture"),
    ("comment-below", "What do you think? Leave a comment below.", "furniture"),
    ("ad-feedback", "Ad Feedback", "furniture"),
    ("sponsored-by", "Sponsored by Example Bank", "furniture"),
    ("more-videos", "More Videos", "furniture"),
    ("take-poll", "Take our poll", "furniture"),
    ("player-time", "Current Time 0:00", "furniture"),
    ("player-loaded", "Loaded: 0%", "furniture"),
    ("player-captions", "captions settings, opens captions settings dialog", "furniture"),
    ("player-dialog", "Beginning of dialog window. Escape will cancel and close the window.", "media_notice"),
    ("player-modal", "This is a modal window.", "media_notice"),
    (
        "player-colours",
        "Text Color White Black Red Green Blue Yellow Magenta Cyan Transparency Opaque Semi-Transparent "
        "Background Color Black White Red Green Blue Yellow Magenta Cyan Transparency Opaque Transparent",
        "media_notice",
    ),
    (
        "embed-note",
        "This content is imported from Twitter. You may be able to find the same content in another format, or "
        "you may be able to find more information, at their web site.",
        "media_notice",
    ),
    ("prose-captions-off", "The captions were off, the court heard.", None),
    ("prose-sponsored-by", "The race, sponsored by a local bank, drew 400 runners.", None),
    ("prose-modal", "The window was left open, the inspector wrote in his report.", None),
    # buttons to copy, save and follow, a player's and a reader's controls, footer links
    ("copy-link", "Copy link to clipboard", "furniture"),
    ("save-article", "Save article", "furniture"),
    ("player-pause", "Pause", "furniture"),
    ("subheading-play", "Play", None),
    ("subheading-save", "Save", None),
    ("subheading-register", "Register", None),
    ("text-size", "A A A", "furniture"),
    ("open-menu", "Open menu", "furniture"),
    ("view-gallery", "View gallery", "furniture"),
    ("about-us", "About us", "furniture"),
    ("prose-play", "Play resumed after the rain delay.", None),
    ("prose-search", "Search teams found the wreck on Monday.", None),
    ("composite-credit", "Composite: Getty Images", "caption"),
    ("explore-topics", "Explore more on these topics", "related"),
    ("elsewhere-on", "Elsewhere on the Example Post", "related"),
    ("affiliate-earn", "We may earn a commission when you buy through links on our site.", "rights_notice"),
    ("affiliate-links-are", "Some links in this article are affiliate links.", "rights_notice"),
    ("prose-commission", "The commission will earn its budget back through fines, the minister said.", None),
    ("quote-commission", "“We get a commission on every car we sell,” the dealer said.", None),
    # a promotional blurb that closes by telling the reader to sign up or follow; prose that mentions
    # signing up, or quotes someone urging it, stays
    (
        "blurb-closing-sign-up",
        "Start your day with the Morning Brief, written by our markets desk. It is the most read note among "
        "traders. Sign up for the free daily newsletter.",
        "newsletter_prompt",
    ),
    (
        "blurb-closing-follow",
        "Bleib auf dem Laufenden zu aktuellen Entwicklungen im Marketing und in den sozialen Medien. Follow @jdoe",
        "share",
    ),
    (
        "prose-urging-to-join",
        "The minister said the plan would help voters who struggle to register. Join the debate, she urged them "
        "on Monday, in a speech to the party in Leeds.",
        None,
    ),
    (
        "prose-subscribers",
        "Readers asked how the scheme works. Subscribers can read the full guide on the council's website.",
        None,
    ),
    ("comment-prompt", "Tap here to add a comment", "furniture"),
    ("terms", "Terms & Conditions", "furniture"),
    ("file-photo", "FILE PHOTO: A logo is seen in Paris, France, June 5, 2019. REUTERS/Jane Doe/File Photo", "caption"),
    ("agency-credit-end", "Ministers met in Brussels on Monday. AFP/Getty Images", "caption"),
    ("prose-agency-slash", "The photo was taken by AP/Jane Doe in Paris", None),
    ("posted-by-at", "Posted by jdoe at 10:15 AM", "byline"),
    ("written-by-on", "Written by Jane Doe on 3 May 2021", "byline"),
    ("prose-published-by", "Published by the ministry on Monday, the report found fault.", None),
    # broadcasters' and wires' page furniture: media captions and players, reading times, photo credits
    ("media-caption", "Media caption Watch: the moment the bridge fell", "caption"),
    ("media-playback", "Media playback is unsupported on your device", "furniture"),
    ("photograph-credit", "Ministers meet in Brussels. Photograph: Jane Doe/Reuters", "caption"),
    ("reading-time", "4 Min Read", "furniture"),
    ("hide-caption", "hide caption", "furniture"),
    ("click-here-for", "CLICK HERE FOR MORE SPORTS COVERAGE ON EXAMPLE.COM", "app_promo"),
    ("gallery-counter", "Slide 2 of 10", "furniture"),
    ("bare-counter", "1 of 9", "furniture"),
    ("prose-with-of", "3 of the 9 ministers voted against.", None),
    ("cjk-editor", "责任编辑：王小明", "byline"),
    ("cjk-editor-empty", "（责任编辑： ）", "byline"),
    ("labelled-contact", "E-Mail: presse@example.org", "url"),
    ("labelled-handle", "Twitter: @example_org", "url"),
    ("prose-with-label", "Twitter: the firm said on Monday it would cut staff.", None),
    ("form-error", "An error occurred. Please check your input.", "form_message"),
    ("form-error-alone", "Something went wrong. Please try again later.", "form_message"),
    ("quote-something-went-wrong", "“Something went wrong,” she said.", None),
    ("form-error-de", "Ein Fehler ist aufgetreten. Bitte überprüfen Sie Ihre Eingaben.", "form_message"),
    ("form-thanks", "Thanks for signing up!", "form_message"),
    ("premium-trial", "Try Example Premium for FREE by clicking here for no ads and new puzzles.", "paywall_prompt"),
    (
        "prose-something-went-wrong",
        "Something went wrong at the plant in 2019, and three workers were hurt there.",
        None,
    ),
    ("write-to", "Write to Jane Doe at jane.doe@example-paper.com", "share"),
    ("news-tip", "Have a news tip? Send it to the newsroom.", "share"),
    ("podcast", "Subscribe to the show on Apple Podcasts or Spotify.", "share"),
    ("prose-tip", "The waiter said the tip was generous, and the owner agreed.", None),
    (
        "signing-up-newsletter",
        "Get the week's good news delivered to your inbox by signing up to our newsletter.",
        "newsletter_prompt",
    ),
    # what an embedded player says when it cannot play, a comment form's notes, navigation buttons, a
    # publisher's disclaimer; prose about browsers, fields and views stays
    ("video-tag", "Your browser does not support the video tag.", "media_notice"),
    (
        "enable-js",
        "To view this video please enable JavaScript, and consider upgrading to a web browser",
        "media_notice",
    ),
    ("player-loading", "Video Player is loading.", "media_notice"),
    ("privacy-blocked", "This content is not available due to your privacy preferences.", "media_notice"),
    ("feature-unavailable", "We're sorry, this feature is currently unavailable.", "media_notice"),
    ("prose-browser", "The new browser does not support older plug-ins, the company said.", None),
    ("prose-unavailable", "The video is not available in Britain, the broadcaster said.", None),
    ("comment-form", "Your email address will not be published. Required fields are marked *", "form_message"),
    ("prose-fields", "Farmers said the required fields were marked with red flags.", None),
    ("back-to-top", "Back to top", "furniture"),
    ("next-article", "Next article", "furniture"),
    ("instagram-frame", "View this post on Instagram", "furniture"),
    ("shared-count", "This story has been shared 1,234 times.", "furniture"),
    ("views-disclaimer", "The views expressed in this article are those of the author.", "rights_notice"),
    ("contributor-disclaimer", "Opinions expressed by Example contributors are their own.", "rights_notice"),
    ("prose-views", "The views of the voters were expressed at the ballot box on Sunday.", None),
    ("youtube-channel", "Subscribe to our YouTube channel for more videos", "share"),
    ("support-our-work", "Please consider supporting our work.", "donation_prompt"),
    ("prose-support", "Unions said they would support the plan if wages rose.", None),
    ("file-photo-label", "File photo", "caption"),
    # the same furniture in the other languages of the news: share and account buttons, comment
    # counters, notification and community prompts, a registration form's messages, a teaser's link
    ("share-de", "Artikel teilen", "furniture"),
    ("register-de", "Registrieren", "furniture"),
    ("register-es-site", "REGISTRARSE EN ELDIA.COM", "furniture"),
    ("subscribe-es", "SUSCRIBITE", "furniture"),
    ("comments-no", "Kommentarer", "furniture"),
    ("comments-count", "12 Comments", "furniture"),
    ("login-or-register", "Login oder neu registrieren?", "furniture"),
    ("notifications-es", "¿Querés recibir notificaciones de alertas?", "share"),
    ("prose-notifications", "Users can now receive notifications about their orders, the company said.", None),
    ("whatsapp-community", "Join the Daily Record WhatsApp community!", "share"),
    ("registration-de", "Uups, die Registrierung ist fehlgeschlagen", "form_message"),
    ("newsletter-de", "Dann abonniere meinen Newsletter: http://www.example.de/newsletter/", "newsletter_prompt"),
    ("teaser-weiterlesen", "Kommen dürfen alle Weiterlesen →", "related"),
    ("prose-read-more", "He told them to read more.", None),
    ("login-de", "Einloggen", "furniture"),
    ("report-page", "Report this page", "furniture"),
    ("read-also-fi", "Lue myös:", "related"),
    ("read-also-sv", "Läs också:", "related"),
    ("recommendations-de", "Empfehlungen", "related"),
    ("reading-time-bare", "2 min", "furniture"),
    ("reading-time-de", "Lesezeit: 3 Min.", "furniture"),
    ("privacy-notice", "If you’re curious, you can read our Privacy Notice.", "cookie_notice"),
    ("prose-minutes", "The train was 2 min late and the mayor was furious.", None),
    # English news templates' furniture: the player, reprint and republishing notes, desk contacts,
    # picture credits after "by", share and gift buttons
    ("external-links", "These are external links and will open in a new window", "furniture"),
    ("reuse", "Reuse this content", "furniture"),
    ("gift-article", "Gift Article", "paywall_prompt"),
    ("scroll-for-video", "Scroll down for video", "furniture"),
    ("video-duration", "VIDEO 2:30 02:30", "furniture"),
    ("next-button", "Next", "furniture"),
    ("player-shortcuts", "Press shift question mark to access a list of keyboard shortcuts", "media_notice"),
    ("player-progress", "0 seconds of 2 minutes, 30 secondsVolume 90%", "media_notice"),
    (
        "in-print",
        "A version of this article appears in print on March 5, 2019, Section A, Page 1 of the New York edition with"
        " the headline: Budget Talks Stall. Order Reprints | Today’s Paper | Subscribe",
        "rights_notice",
    ),
    ("copyright-year", "Copyright 2019 NPR. To see more, visit https://www.npr.org.", "rights_notice"),
    ("agency-information", "Information from The Associated Press was used in this report.", "rights_notice"),
    (
        "republished",
        "This article is republished from The Conversation under a Creative Commons license. Read the original article.",
        "rights_notice",
    ),
    (
        "affiliate-links",
        "All products recommended by Example are selected by our editorial team, independent of our parent company."
        " Some of our stories include affiliate links.",
        "rights_notice",
    ),
    ("contact-reporter", "To contact the reporter on this story: Jane Doe in London at jdoe@example.net", "share"),
    ("prose-contact", "To contact the family, police went to the house on Monday.", None),
    ("letters", "We want to hear what you think about this article. Submit a letter to the editor.", "share"),
    ("story-idea", "Have a story idea? Email us.", "share"),
    (
        "scoops",
        "Missing out on the latest scoops? Sign up for Example Playbook and get the latest news, every morning — in"
        " your inbox.",
        "newsletter_prompt",
    ),
    ("tagged-under", "This article tagged under:", "byline"),
    ("more-great-stories", "More Great Example Stories", "related"),
    ("illustration-by", "Illustration by Jane Doe", "caption"),
    ("photos-by-for", "Photos by Jane Doe for The Example Times", "caption"),
    ("prose-video-by", "Video by the police shows the arrest", None),
    ("skip-to-content-de", "Zum Inhalt springen", "furniture"),
    ("related-topics-de", "Verwandte Themen", "related"),
    # a date alone on its line with its weekday or its place, as press releases and blogs open
    ("weekday-dateline", "Mittwoch, 01.11.2023", "dateline"),
    ("weekday-dateline-en", "Tuesday, March 5, 2019", "dateline"),
    ("placed-dateline", "Hamburg, 2. November 2021", "dateline"),
    ("placed-dateline-caps", "LONDON, March 5, 2019", "dateline"),
    ("posted-weekday", "Posted: Thursday, April 21, 2022. 10:11 pm CST.", "dateline"),
    ("prose-weekday-date", "On Tuesday, March 5, 2019, the council met.", None),
    ("prose-place-date", "Paris, France, on March 5, 2019", None),
    ("video-available-until", "Video verfügbar bis 28.02.2021", "furniture"),
    # the story's source agency alone on a line
    ("agencies", "Agencies", "caption"),
    ("agency-initials", "PTI", "caption"),
    ("inputs-from-agencies", "With inputs from agencies", "caption"),
    ("prose-name-like-initials", "Ani Smith went home", None),
    ("show-all", "Show all 50", "furniture"),
    ("also-read-bar", "Also Read | Sensex falls 500 points as banks drag", "related"),
    ("post-meta-de", "Veröffentlicht: 05.01.2020 Abgelegt unter: Fotografie | Tags: Abendhimmel", "byline"),
    ("prose-veroeffentlicht", "Das Buch wurde veröffentlicht am Montag und unter Schlagworte abgelegt.", None),
    # closing pointers to more of the site, the desk's addresses, an upsell
    ("reach-reporter", "To reach the reporter behind this story, contact jane@example.org.", "share"),
    ("enjoying-journalism", "We hope you're enjoying The Example's journalism.", "paywall_prompt"),
    ("full-coverage", "Follow our full coverage of the coronavirus pandemic here.", "related"),
    ("read-more-news-on", "Read more news and reviews on Example Field’s food and drink pages.", "related"),
    ("more-about-colon", "Mehr zu Konny Reimann und seiner Familie:", "related"),
    ("prose-mehr-zu", "Mehr zu tun gibt es nicht", None),
    ("newest-posts-de", "Neueste 5 Beiträge:", "related"),
    ("read-more-fi", "Lue aiheesta lisää:", "related"),
    ("source-bloomberg", "FMW/Bloomberg", "caption"),
    ("prose-follow-our", "Follow our reporters into the field as they travel.", None),
]


@pytest.mark.parametrize(("line", "kind"), [row[1:] for row in LINES], ids=[row[0] for row in LINES])
def test_line_kind(line, kind):
    assert boilerplate.line_kind(line) == kind


def test_a_run_of_other_stories_headlines_goes_but_a_single_linked_line_stays():
    text = (
        "Story paragraph one is long enough to be prose here.\n15 Amazing Images of Stars\n"
        "11 Fascinating Facts About Our Milky Way Galaxy\nStory paragraph two.\nRead the report on the budget"
    )
    titles = frozenset(
        {
            "15 Amazing Images of Stars",
            "11 Fascinating Facts About Our Milky Way Galaxy",
            "Read the report on the budget",
        }
    )
    kept, dropped = boilerplate.text_filter(text, titles)
    assert kept.split("\n") == [
        "Story paragraph one is long enough to be prose here.",
        "Story paragraph two.",
        "Read the report on the budget",
    ]
    assert dropped["related"] == 2


def test_a_bracketed_pointer_to_another_story_goes():
    text = "Story paragraph one is long enough to be prose here.\n[Our latest forecast: who will win?]\nStory two."
    kept, dropped = boilerplate.text_filter(text, frozenset({"Our latest forecast: who will win?"}))
    assert kept == "Story paragraph one is long enough to be prose here.\nStory two."
    assert dropped == {"related": 1}
    # brackets around words that link nowhere are the story's own ("[sic]", an editor's insert)
    plain = "Story paragraph one is long enough to be prose here.\n[The minister later denied this.]\nStory two."
    assert boilerplate.text_filter(plain, frozenset())[0] == plain


def test_a_bracketed_line_is_a_link_title_when_its_words_are_the_link():
    tree = load_html(
        "<html><body><p>[<a href='/forecast'>Our latest forecast: who will win?</a>]</p>"
        "<p><a href='https://news.example/a'>This very page links to itself here</a></p></body></html>"
    )
    lines = ["[Our latest forecast: who will win?]", "This very page links to itself here"]
    assert link_titles(tree, "https://news.example/a", lines) == frozenset({"Our latest forecast: who will win?"})


def test_the_sources_initials_after_the_last_paragraph_go_but_a_list_of_initials_stays():
    story = "The court ruled on Thursday that the retailer is liable for the damage."
    for source in ("RIRM", "(dpa)", "KNA/epd"):
        kept, dropped = boilerplate.text_filter(f"{story}\n{source}")
        assert kept == story
        assert dropped == {"caption": 1}
    universities = f"{story}\nThese universities are affected:\nUFRGS\nUFFS\nIFB"
    assert boilerplate.text_filter(universities)[0] == universities


def test_a_call_to_action_spelt_with_cyrillic_look_alike_letters_is_one():
    line = "\u0421\u043ent\u0430\u0441t u\u0455 \u0430t ads@example.com or call us."  # "Contact us at"
    assert boilerplate.line_kind(line) == "share"
    assert (
        boilerplate.line_kind("\u041c\u043e\u0441\u043a\u0432\u0430 \u0441\u043e\u043e\u0431\u0449\u0438\u043b\u0430.")
        is None
    )


def test_teasers_of_other_stories_that_close_the_text_go_however_long():
    story = "The court ruled on Thursday that the retailer is liable.\nThe case may go to a higher court."
    teasers = [
        "A judge in another state threw out a similar claim last year, saying the law did not reach sales made"
        " online, and the retailer hopes the higher court will read it the same way this time",
        "Shoppers who bought the recalled heaters can ask for a refund until the end of March, the company said",
    ]
    titles = frozenset(teasers)
    kept, dropped = boilerplate.text_filter("\n".join([story, *teasers]), titles)
    assert kept == story
    assert dropped["related"] == 2
    # one linked line closing the text may be the story's own last paragraph, and the rule reads only the end
    one = f"{story}\n{teasers[0]}"
    assert boilerplate.text_filter(one, titles)[0] == one
    inside = "\n".join([*teasers, story])
    assert boilerplate.text_filter(inside, titles)[0] == inside


def _card(n: int, title: str = "Ferry operator cuts its winter timetable") -> str:
    return (
        f"<div class='item'><a href='/news/{n}'><h4>{title} {n}</h4></a>"
        "<p>The operator said fewer crossings would run from November.</p></div>"
    )


@pytest.mark.parametrize(("count", "marked"), [(4, 4), (2, 0)])
def test_cards_of_other_stories_side_by_side_outside_the_story_go_as_related(count, marked):
    """No heading leads the grid and the summaries are prose; three cards or more side by side are a
    list of other stories. Inside the story, the same blocks stay."""
    story = "".join(
        f"<p>The council met on Monday to vote on rule {n} of the budget, which changes how towns pay.</p>"
        for n in ("one", "two", "three")
    )
    grid = "".join(_card(n) for n in range(count))
    html = (
        "<html><head><title>Budget vote</title></head><body><main><article><h1>Budget vote</h1>"
        f"{story}</article><div class='grid'>{grid}</div></main></body></html>"
    )
    tree = load_html(html)
    marks = boilerplate.mark(tree, scope=find_article_scope(tree))
    assert sum(kind == "related" for _, kind in marks.items) == marked
    inside = html.replace("</article><div class='grid'>", "<div class='grid'>").replace(
        "</div></main>", "</div></article></main>"
    )
    tree = load_html(inside)
    assert not boilerplate.mark(tree, scope=find_article_scope(tree)).items


def test_a_row_of_the_sites_labelled_links_goes_but_a_posts_own_labelled_links_stay():
    html = (
        "<html><body><article><h1>New keyboard</h1><p>Apple plans a new keyboard for its laptops next year,"
        " according to sources cited by a trade paper.</p>"
        "<div class='linkback'>Related Roundup: <a href='/roundup/macbook-pro/'>MacBook Pro</a></div>"
        "<div class='linkback'>Tag: <a href='/tag/digitimes/'>digitimes.com</a></div>"
        "<p>Earcuff: <a href='/shop/zoeca'>Zoeca</a></p></article></body></html>"
    )
    tree = load_html(html)
    marks = boilerplate.mark(tree, scope=find_article_scope(tree))
    assert sorted(visible_text(element) for element, kind in marks.items if kind == "related") == [
        "Related Roundup: MacBook Pro",
        "Tag: digitimes.com",
    ]


def test_an_italic_caption_right_after_a_picture_goes_as_a_caption():
    html = (
        "<html><body><article><h1>New keyboard</h1><div class='content'>Apple plans a new keyboard for its"
        " laptops next year.<br><img src='k.jpg'><center><em>The new keyboard via <a href='/x'>iFixit</a></em>"
        "</center><br>The report claims the display will stay the same size.<p><em>Emphasis that opens a"
        " paragraph is the story's.</em></p></div></article></body></html>"
    )
    tree = load_html(html)
    marks = boilerplate.mark(tree, scope=find_article_scope(tree))
    assert [visible_text(element) for element, kind in marks.items if kind == "caption"] == [
        "The new keyboard via iFixit"
    ]


def test_the_pages_menus_go_as_navigation_and_a_table_of_contents_in_the_story_stays():
    menu = "<nav><ul>" + "".join(f"<li><a href='/s/{i}'>Section {i}</a></li>" for i in range(40)) + "</ul></nav>"
    paragraphs = "".join(
        f"<h2 id='p{n}'>Part {n}</h2><p>The council met on Monday to vote on rule {n} of the budget, which changes"
        " how towns pay for roads and schools.</p>"
        for n in (1, 2)
    )
    toc = "<nav class='toc'><a href='#p1'>Part 1: the vote</a> <a href='#p2'>Part 2: the costs</a></nav>"
    html = (
        f"<html><head><title>Budget vote</title></head><body><header>{menu}</header><main><article>"
        f"<h1>Budget vote</h1>{toc}{paragraphs}</article></main><nav class='pager'><a href='/2'>Next story</a></nav>"
        "</body></html>"
    )
    tree = load_html(html)
    scope = find_article_scope(tree)
    marks = boilerplate.mark(tree, scope=scope)
    navigation = [element for element, kind in marks.items if kind == "navigation"]
    assert [element.getparent().tag for element in navigation] == ["header", "body"]
    assert "toc" not in {element.get("class") for element in navigation}


def test_a_headed_block_of_other_stories_outside_the_story_goes_however_long_their_summaries():
    """Links hold little of such a block's text when each teaser carries a paragraph of summary; its
    heading and its headline links to other pages still say what it is."""
    story = "".join(
        f"<p>The council met on Monday to vote on rule {n} of the budget, which changes how towns pay for roads.</p>"
        for n in ("one", "two")
    )

    def page(count: int) -> str:
        teasers = "".join(
            f"<div class='card'><h3><a href='/news/{n}'>Ferry operator {n} cuts its winter timetable</a></h3>"
            f"<p>The operator said on Friday that fewer crossings would run from November, after a season in which "
            f"fuel costs rose by a third and passenger numbers fell for the {n} year in a row.</p></div>"
            for n in ("first", "second", "third", "fourth")[:count]
        )
        return (
            "<html><head><title>Budget vote</title></head><body><main><article><h1>Budget vote</h1>"
            f"{story}</article><section class='more'><h2>Related stories</h2>{teasers}</section></main></body></html>"
        )

    record = extract_article(page(4), "https://news.example/budget-vote", crawled_at="2023-02-04T10:00:00Z")
    assert "Ferry operator" not in record["text"] and "fewer crossings" not in record["text"]
    assert record["text"].count("The council met on Monday") == 2
    assert record["boilerplate"]["removed"].get("related") == 1
    # two headline links are no list of stories yet
    record = extract_article(page(2), "https://news.example/budget-vote", crawled_at="2023-02-04T10:00:00Z")
    assert "related" not in record["boilerplate"]["removed"]


def test_recent_posts_with_their_dates_close_the_text_and_go():
    story = "The court ruled on Thursday that the retailer is liable.\nThe case may go to a higher court."
    recent = (
        "Leading Candidates To Replace The Senator - October 10, 2020\n"
        "City To Begin Basic Income Program For Artists - October 10, 2020\n"
        "Theaters Refuse To Open Over Concessions Ban - October 9, 2020"
    )
    kept, dropped = boilerplate.text_filter(f"{story}\n{recent}")
    assert kept == story
    assert dropped["related"] == 3
    # one such line alone is not a list, and the rule reads only the end of the text
    single = f"{story}\nTheaters Refuse To Open Over Concessions Ban - October 9, 2020"
    assert boilerplate.text_filter(single)[0] == single
    inside = f"{recent}\n{story}"
    assert boilerplate.text_filter(inside)[0] == inside


def test_links_after_a_label_and_shouted_links_go():
    text = "Story paragraph one is long enough to be prose here.\nSchon gelesen?\nLuftwaffe beginnt Training auf dem H145\nSEAN SPICER ELIMINATED FROM THE SHOW TONIGHT\nStory paragraph two."
    titles = frozenset({"Luftwaffe beginnt Training auf dem H145", "SEAN SPICER ELIMINATED FROM THE SHOW TONIGHT"})
    kept, dropped = boilerplate.text_filter(text, titles)
    assert kept.split("\n") == ["Story paragraph one is long enough to be prose here.", "Story paragraph two."]
    assert dropped["related"] == 3


def test_hidden_metadata_copy_is_removed_but_a_hidden_story_is_kept():
    hidden_copy = (
        "<div style='display:none'><div itemprop='articleBody'>"
        + "Hidden copy of the story text. " * 10
        + "</div></div>"
    )
    record = extract_article(page(after=hidden_copy), "https://news.example/a", crawled_at="2023-02-04T10:00:00Z")
    assert "Hidden copy" not in record["text"]
    assert record["boilerplate"]["removed"]["hidden"] == 1
    only_hidden = (
        "<html><body><nav><a href='/'>Home</a></nav><div style='display:none'>" + STORY + "</div></body></html>"
    )
    tree = load_html(only_hidden)
    marks = boilerplate.Marks()
    boilerplate.mark_hidden(tree, marks)
    assert marks.items == []


def test_headline_is_stripped_and_furniture_above_it():
    tree = load_html(page())
    scope = tree.find(".//article")
    text = (
        "Sidebar teaser nobody asked for\nCouncil agrees reform\n"
        + "Paragraph 0 of the story says what the council decided."
    )
    stripped, dropped = strip_headline(text, "Opinion | Council agrees reform", scope)
    assert stripped.startswith("Paragraph 0")
    assert dropped == {"headline": 1, "before_headline": 1}


@pytest.mark.parametrize(
    "title",
    [
        "Early Reviews Are Here — And They Are Not Great - Example News",
        "Example News | Early Reviews Are Here — And They Are Not Great",
    ],
)
def test_a_headline_with_a_dash_of_its_own_is_stripped_beside_the_site_name(title):
    text = "Early Reviews Are Here — And They Are Not Great\nThe service launches today, and critics are unkind."
    stripped, dropped = strip_headline(text, title, None)
    assert stripped == "The service launches today, and critics are unkind."
    assert dropped == {"headline": 1}


STORY_LINE = "The service launches today, and critics are unkind to it."


@pytest.mark.parametrize(
    ("line", "title"),
    [
        # the same headline set in other type: dashes, quotes, a soft hyphen, a space before a colon
        ("Whisky Tastings Januar – Mai 2020 in Halle", "Whisky Tastings Januar - Mai 2020 in Halle"),
        ("El Santo: Glasgow’s Latin American delight", "El Santo: Glasgow's Latin American delight - Example Field"),
        (
            "Änderung der Anforderungen an Genesenennachweise",
            "Änderung der Anforderungen an Genesenen\u00ad\u00adnachweise",
        ),
        (
            "Nutzerbasierte Abrechnung : Musik-Stars fordern neues Modell",
            "Nutzerbasierte Abrechnung: Musik-Stars fordern neues Modell",
        ),
        ("Truckwash A31,", "Truckwash A31"),
        ("Council agrees budget reform for towns", "Council agrees budget reform for towns » Example News"),
        # a kicker or an exclamation beside it
        ("Volleyball | MTV Stuttgart Hiobsbotschaft für die Angreiferin", "Hiobsbotschaft für die Angreiferin"),
        ("Wow, wow, wow!Manuela Reimann: Überraschung in Bayern!", "Manuela Reimann: Überraschung in Bayern!"),
        # a short headline with its subtitle after a dash or a colon
        ("KRÄHENJAGD – So wird gelockt und gejagt", "KRÄHENJAGD"),
        ("Kolumne: Queer Royal - Über Dragqueens auf und jenseits der Bühne", "Kolumne: Queer Royal"),
    ],
    ids=[
        "dash",
        "apostrophe",
        "soft-hyphen",
        "colon-space",
        "comma",
        "guillemet-site",
        "kicker",
        "exclamation",
        "subtitle",
        "column",
    ],
)
def test_a_copy_of_the_headline_in_other_type_is_stripped(line, title):
    stripped, dropped = strip_headline(f"{line}\n{STORY_LINE}", title, None)
    assert stripped == STORY_LINE
    assert dropped == {"headline": 1}


def test_a_label_set_before_the_headline_does_not_open_the_text():
    # the site's section above the headline; the story comes after its headline
    tree = load_html(
        "<html><body><div class='rubric'><span>Ressorts</span></div><article><h1>Budget rules for towns</h1>"
        "<p>Ressorts</p><p>The committee met on Monday.</p></article></body></html>"
    )
    headline = tree.find(".//h1")
    dropped = Counter()
    assert _drop_kickers(f"Ressorts\n{STORY_LINE}", tree, headline, dropped) == STORY_LINE
    assert dropped == {"before_headline": 1}
    # a short line that the page prints only after its headline is the story's (a subheading)
    assert _drop_kickers(f"Zahlen\n{STORY_LINE}", tree, headline, Counter()) == f"Zahlen\n{STORY_LINE}"


def test_a_title_the_page_declares_besides_the_records_is_a_headline_copy():
    # <title> says one thing, og:title another, and the page sets the second above its story
    line = "Tag der Abstimmung: Parlament vertagt Votum über den Deal"
    stripped, dropped = strip_headline(
        f"{line}\n{STORY_LINE}", "Niederlage für Johnson im Parlament", None, declared=["Example News", line]
    )
    assert stripped == STORY_LINE
    assert dropped == {"headline": 1}


def test_a_headline_set_twice_goes_twice():
    # one copy for small screens, one for large ones
    text = f"Budget talks stall in the council\nBudget talks stall in the council\n{STORY_LINE}"
    stripped, dropped = strip_headline(text, "Budget talks stall in the council", None)
    assert stripped == STORY_LINE
    assert dropped == {"headline": 2}


def test_a_sentence_that_opens_with_the_headline_is_prose_and_stays():
    text = "Budget talks stall in the council again today.\nThe second paragraph follows here."
    assert strip_headline(text, "Budget talks stall in the council", None)[0] == text
    longer = "Budget talks stall in the council as ministers argue over every line of it\nMore text."
    assert strip_headline(longer, "Budget talks stall in the council", None)[0] == longer
    # a short title opening a sentence is no subtitle: no dash or colon follows it
    opening = "Brexit talks resume on Monday in Brussels with new hopes\nMore text."
    assert strip_headline(opening, "Brexit", None)[0] == opening


def test_the_headline_element_goes_when_the_title_says_something_else():
    text = f"Turkey, Poland and three islands added to quarantine list\n{STORY_LINE}"
    title = "Turkey, Poland, islands added to UK quarantine list"
    stripped, dropped = strip_headline(
        text, title, None, headline="Turkey, Poland and three islands added to quarantine list"
    )
    assert stripped == STORY_LINE
    assert dropped == {"headline": 1}
    # a headline element further down (a section's heading) takes no story line above it with it
    shop = f"Returns come without paper now.\n{STORY_LINE}\nOur three steps to less paper\nMore text."
    stripped, _ = strip_headline(shop, "Insider offers", None, headline="Our three steps to less paper")
    assert stripped.split("\n")[:2] == ["Returns come without paper now.", STORY_LINE]


def test_a_headline_set_after_the_body_goes_with_its_badge():
    """After a body of bare text and line breaks, trafilatura puts the article's header at the end."""
    body = "\n".join(f"{STORY_LINE} Paragraph {n}." for n in range(4))
    stripped, dropped = strip_headline(
        f"{body}\nExclusive\nCouncil agrees reform\nJane Doe", "Council agrees reform", None
    )
    assert stripped == f"{body}\nJane Doe"
    assert dropped == {"headline": 1, "before_headline": 1}
    # followed by more of the story, the headline's words are the story's own
    inside = f"{body}\nCouncil agrees reform\nThe vote was held on Monday, and it passed."
    assert strip_headline(inside, "Council agrees reform", None)[0] == inside


def test_the_kicker_above_the_headline_goes_with_it():
    tree = load_html(page())
    scope = tree.find(".//article")
    text = f"Atomkraft\nCouncil agrees reform\n{STORY_LINE}"
    stripped, dropped = strip_headline(text, "Council agrees reform", scope)
    assert stripped == STORY_LINE
    assert dropped == {"headline": 1, "before_headline": 1}


def test_the_headline_block_is_no_lead_to_restore():
    # a template's "intro" block holds the headline itself: putting it back would repeat the title
    html = _story_page(
        "<div class='intro article-info'><h1>How to care for hydrangeas to get the most beautiful blooms on the"
        " block</h1></div>" + _BODY
    ).replace("<h1>Budget rules</h1>", "")
    record = extract_article(html, "https://classes.example/hydrangeas", crawled_at="2023-02-04T10:00:00Z")
    assert "hydrangeas" not in record["text"].lower()
    assert record["text"].startswith("The committee met on Monday")


@pytest.mark.parametrize(
    "block",
    [
        "Lesen Sie auch: Polen erinnert in Auschwitz an Maximilian Kolbe mit einem Gottesdienst und einer Feier",
        "Nachricht | 30.10.2021 Migration / Flucht «Wir waren fast vierzig Tage in Quarantäne» sagt er heute",
        "652 Ratings (function() { document.addEventListener('DOMContentLoaded', function() { var x = 1; }); })",
        "By embedding Twitter content in your website or app, you are agreeing to the Twitter Developer Agreement",
        "An interview with Thomas Malone, author of a book on minds, together with an extract from the book",
    ],
    ids=["teaser-of-another-story", "metadata-row", "script-source", "embed-notice", "dek-without-full-stop"],
)
def test_what_sits_before_the_body_but_is_no_lead_is_not_put_back(block):
    html = page(inside=f"<p class='teaser-text'>{block}</p>")
    record = extract_article(html, "https://classes.example/not-a-lead", crawled_at="2023-02-04T10:00:00Z")
    assert block[:30] not in record["text"]


def test_lead_set_apart_as_teaser_is_restored():
    html = page(
        inside="<p class='teaser-text'>The council agreed on Monday to rewrite the rules that govern how member states borrow, ending months of talks.</p>"
    )
    tree = load_html(html)
    scope = tree.find(".//article")
    restored = restore_lead("Paragraph 0 of the story.", scope)
    assert restored.startswith("The council agreed on Monday")


def test_a_teaser_of_another_story_below_a_body_without_paragraphs_is_no_lead():
    """A body of text and line breaks has no ``<p>`` that says the body has begun: the teaser block of the
    related story below it comes after the body, so it opens nothing."""
    body = [
        "The council agreed on Monday to rewrite the rules that govern how member states borrow money.",
        "Ministers said the new rules would apply from next year, once parliament has voted on them.",
    ]
    other = "The harbour authority said on Friday that the new ferry terminal would open in the spring."
    tree = load_html(
        "<html><body><main><article><h1>Council vote</h1>"
        f"<div class='entry'>{'<br><br>'.join(body)}</div>"
        f"<div class='teaser'><h3><a href='/ferry'>Ferry terminal to open</a></h3><p>{other}</p></div>"
        "</article></main></body></html>"
    )
    text = "\n".join(body)
    assert restore_lead(text, tree.find(".//article")) == text


def test_a_lead_under_a_second_headline_is_put_back_below_it_as_on_the_page():
    lead = "Five children and two adults died in a fire in a two-storey house, the civil defence said."
    body = "The fire broke out in the stairwell on Saturday night, and the roof burnt out completely, officials said."
    tree = load_html(
        "<html><body><article><h1>Seven die in house fire</h1><h2 class='factline'>Fire in a house in Rostov</h2>"
        f"<div class='teaser'>{lead}</div><p>{body}</p></article></body></html>"
    )
    text = restore_lead(f"Fire in a house in Rostov\n{body}", tree.find(".//article"))
    assert text == f"Fire in a house in Rostov\n{lead}\n{body}"


@pytest.mark.parametrize(
    ("teaser_class", "restored"), [("article-teaser", True), ("article-info", False)], ids=["lead", "not-a-lead"]
)
def test_lead_set_beside_the_headline_outside_the_story_element_is_restored(teaser_class, restored):
    lead = "The council agreed on Monday to rewrite the rules that govern how member states borrow, ending months of talks."
    tree = load_html(
        "<html><head><title>Council rewrites borrowing rules</title></head><body>"
        "<h1>Site logo</h1><header><h1>Council rewrites borrowing rules</h1>"
        f"<figure><img src='x.jpg'></figure><div class='{teaser_class}'><p>{lead}</p></div></header>"
        "<article><p>Paragraph 0 of the story says what the council decided and who voted for it, in order.</p>"
        "</article></body></html>"
    )
    scope = tree.find(".//article")
    text = restore_lead("Paragraph 0 of the story says what the council decided and who voted for it, in order.", scope)
    assert text.startswith("The council agreed on Monday") is restored


BARE_LEAD = (
    "Following the vote, the council plans to rewrite the borrowing rules for member states in the first half"
    " of next year, according to <em><a href='/sources'>officials</a></em> who saw the draft."
)


@pytest.mark.parametrize(
    ("body", "restored"),
    [
        # the story's opening set straight in its block, before a picture and the rest after a <br>
        (f"<div class='content'>{BARE_LEAD}<br><img src='x.jpg'><br>Paragraph 0 of the story.</div>", True),
        # before the first subheading of a block of sections
        (
            f"<section class='body'>{BARE_LEAD}<section></section><h2>Part one</h2><p>Paragraph 0 of the story.</p></section>",
            True,
        ),
        # the same words in a block marked as boilerplate stay out
        (f"<div data-euspider-removed='share'>{BARE_LEAD}<br>Paragraph 0 of the story.</div>", False),
        # a block that does not hold the story's first line is not its opening
        (f"<div class='aside'>{BARE_LEAD}<br>Something else.</div><p>Paragraph 0 of the story.</p>", False),
    ],
    ids=["before-br", "before-subheading", "marked", "elsewhere"],
)
def test_bare_lead_text_of_the_story_block_is_restored(body, restored):
    tree = load_html(f"<html><body><article><h1>Council vote</h1>{body}</article></body></html>")
    scope = tree.find(".//article")
    text = restore_lead("Paragraph 0 of the story.", scope)
    expected = "Following the vote, the council plans" in text
    assert expected is restored
    if restored:
        assert text.startswith("Following the vote") and "according to officials who saw the draft." in text
        assert text.endswith("\nParagraph 0 of the story.")


@pytest.mark.parametrize(
    ("text", "count"), [("two words", 2), ("it's a well-known fact", 4), ("不正に改造したiPhone", 8), ("", 0)]
)
def test_count_words(text, count):
    assert count_words(text) == count


HIDDEN_REST = "".join(
    f"<p>Hidden paragraph {i} goes on with what the minister told the committee about the budget and who voted.</p>"
    for i in range(5)
)
LEAD = "<p>The committee met on Monday to hear the minister explain the new budget rules and their costs.</p>"


def _story_page(body: str) -> str:
    return (
        "<html><head><title>Budget rules</title><style>.paywall{display:none}</style></head><body>"
        "<header><a href='/'>Site</a></header>"
        f"<main><article><h1>Budget rules</h1>{body}</article></main></body></html>"
    )


def test_a_metered_paywalls_hidden_paragraphs_are_the_story_and_are_kept():
    # what metered sites ship: the lead, a prompt, then the rest in a block hidden until a script decides
    prompt = "<div class='subscribe-box'><p>Subscribe to continue reading. Already a subscriber? Log in</p></div>"
    html = _story_page(LEAD + prompt + f"<div class='paywall' style='display:none'>{HIDDEN_REST}</div>")
    record = extract_article(html, "https://metered.example/budget", crawled_at="2023-02-04T10:00:00Z")
    for i in range(5):
        assert f"Hidden paragraph {i}" in record["text"]
    assert "Subscribe to continue" not in record["text"]
    assert record["paywall"] == "metered"
    assert record["paywall_truncated"] is False
    assert "hidden" not in record["boilerplate"]["removed"]


def test_a_paywall_block_hidden_by_the_stylesheet_is_kept():
    # no inline style: the page's CSS hides div.paywall; the id says premium, which extractors drop
    html = _story_page(LEAD + f"<div class='paywall' id='premium-body'>{HIDDEN_REST}</div>")
    record = extract_article(html, "https://metered.example/budget2", crawled_at="2023-02-04T10:00:00Z")
    assert "Hidden paragraph 4" in record["text"]
    assert record["paywall"] == "metered"


def test_a_hidden_read_more_block_with_the_rest_of_the_story_is_kept():
    html = _story_page(LEAD + f"<div class='more-text' hidden>{HIDDEN_REST}</div><button>Read more</button>")
    record = extract_article(html, "https://plain.example/budget", crawled_at="2023-02-04T10:00:00Z")
    assert "Hidden paragraph 2" in record["text"]
    assert record["paywall"] is None


def test_hidden_menus_and_copies_still_go():
    menu = (
        "<div class='mega-menu' style='display: none'><ul>"
        + "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(8))
        + "</ul></div>"
    )
    copy = f"<div style='display:none' itemprop='articleBody'>{HIDDEN_REST}</div>"
    html = _story_page(LEAD + HIDDEN_REST + menu + copy)
    tree = load_html(html)
    marks = boilerplate.Marks()
    kept = boilerplate.mark_hidden(tree, marks)
    assert kept == []
    assert [kind for _, kind in marks.items] == ["hidden", "hidden"]


#: One line for each call-to-action pattern, as sites print them.
PROMPT_EXAMPLES = [
    "Subscribe now for full access", "Start your free trial", "Enjoy a 30-day free trial",
    "Already a member? Log in", "Become a supporting member", "Get instant access to all articles",
    "Choose your plan", "Or subscribe as a group", "Cancel anytime", "Continue reading",
    "Exclusive to subscribers only", "Subscribers only", "Unlock this article", "Log in to read more",
    "Subscribe to read the full story", "Back our independent journalism", "Join EUobserver today",
    "€150 per year", "Compare our subscription plans",
    "Sign up for our daily newsletter", "Our newsletter: sign up here", "Subscribe to the weekly newsletter",
    "The best stories, delivered to your inbox", "Enter your email address",
    "We use cookies to improve your experience", "Read our cookie policy", "Accept all cookies",
    "By using this site you agree",
    "Share", "Share on Facebook", "Follow us on Instagram", "Follow The Gleaner on Twitter",
    "Download our free news app", "Get it on Google Play", "Click here to subscribe", "Get the BBC News app",
    "© 2020 All rights reserved", "Tous droits réservés", "Copyrighted property of the paper",
    "For your personal, non-commercial use only", "The Thomson Reuters Trust Principles",
    "Sign up to get the best content of the week", "Melde dich hier für unseren Newsletter an!",
    "Send us a message on WhatsApp", "Link Embed Copy Close", "¡Mira lo que tiene nuestro canal de YouTube!",
    "Please donate today", "We need your help", "Jessica Napoli contributed to this report.",
    "If you buy something through this post, IGN may get a share of the sale.",
    "We may earn a commission when you buy through links on our site.", "These links are affiliate links.",
    "This content is imported from Twitter.", "You may be able to find more information at their web site.",
    "Text Color White Black Red Green Blue Yellow Magenta Cyan Transparency Opaque Semi-Transparent",
    "Beginning of dialog window. Escape will cancel and close the window.",
    "Folgen Sie uns auf Twitter", "Like us on Facebook", "The Daily Example is now on Telegram",
    "Write to Jane Doe at jane@example.com", "Share on Facebook (Opens in new window)", "Follow @example", "Click here for more", "Try Example Premium for free", "Register your account now",
    "See more by clicking here", "Something went wrong. Please try again.", "Please check your e-mail address",
    "Thank you for subscribing!", "Got a tip?", "Listen on Apple Podcasts", "Contact us at tips@example.com", "<저작권자 ⓒ 일보, 무단전재 및 재배포 금지>",
    "Subscribe to our YouTube channel", "Please consider supporting our work", "Support our newsroom",
    "Your email address will not be published.", "Your browser does not support the video tag.",
    "Video Player is loading.", "This content is not available due to your privacy preferences.",
    "Sorry, this feature is currently unavailable.", "The views expressed are those of the author.",
    "Join our WhatsApp community", "Subscribe to t.me/example", "Turn on notifications",
    "Do you want to get notifications?", "Abonniere meinen Newsletter", "Your registration was successful",
    "Please read our privacy policy", "Start your Premium subscription today", "Bookmark your favourite articles",
    "Get the latest news delivered daily", "Have a story idea?", "To contact the editors responsible",
    "Submit a letter to the editor", "We want to hear what you think", "Information from AP was used in this report",
    "Copyright 2019 Example", "By embedding Twitter content", "To reach the editor", "We hope you're enjoying it", "Register now", "A version of this article appears in print", "Republished from The Conversation",
    "Under a Creative Commons license", "Read the original article", "Our stories include affiliate links",
    "Independent of our parent company", "Press shift question mark", "0 seconds of 2 minutes, Volume 90%",
]  # fmt: skip


def test_the_prompt_prefilter_lets_every_call_to_action_through():
    # the cheap search must never hide a call to action from the full patterns
    for example in PROMPT_EXAMPLES:
        assert boilerplate._PROMPT_PREFILTER.search(example.lower()), example
        assert boilerplate.prompt_kinds(example), example
    for kind, patterns in boilerplate.PROMPTS.items():
        for pattern in patterns:
            matches = [m for e in PROMPT_EXAMPLES if (m := re.search(pattern, e.lower()))]
            assert matches, (kind, pattern)
            # the prefilter's word is in what the pattern matched, not only elsewhere in the example
            for match in matches:
                assert boilerplate._PROMPT_PREFILTER.search(match.group(0)), (kind, pattern, match.group(0))


def test_a_subheadline_under_the_headline_is_not_story_text():
    # news sites set a one-sentence summary (a dek) under the headline, in a heading or a "sub-head"
    dek = "<h2 class='sub-head'>The rules change how member states borrow. Critics say they come too late.</h2>"
    html = page("<meta property='og:title' content='Council agrees reform'>").replace(
        "<h1>Council agrees reform</h1>", "<h1>Council agrees reform</h1>" + dek
    )
    record = extract_article(html, "https://news.example/dek", crawled_at="2023-02-04T10:00:00Z")
    assert "Critics say they come too late" not in record["text"]
    assert record["boilerplate"]["removed"]["standfirst"] == 1
    assert record["text"].startswith("Paragraph 0")


def test_a_dek_outside_the_headlines_wrapper_is_found_by_the_text_that_follows_the_headline():
    # the headline shares its wrapper with a sponsor's logo; the dek sits in the next block of the header
    dek = "<p class='dek'>The rules change how member states borrow. Critics say they come too late.</p>"
    html = page().replace(
        "<h1>Council agrees reform</h1>",
        f"<div class='headline-wrapper'><h1>Council agrees reform</h1><div class='sponsor-logo'><img src='l.png'></div>"
        f"</div>{dek}",
    )
    record = extract_article(html, "https://news.example/dek2", crawled_at="2023-02-04T10:00:00Z")
    assert "Critics say they come too late" not in record["text"]
    assert record["boilerplate"]["removed"]["standfirst"] == 1


def test_the_title_under_a_site_name_headline_is_no_dek():
    # a blog's h1 is the site's name; the first heading after it is the post's title, not a summary
    tree = load_html(
        "<html><body><h1>Example Blog</h1><div><h2 class='posttitle'>Doing nothing is also a choice we can make"
        "</h2><p>" + "The post begins here and goes on for a while. " * 5 + "</p></div></body></html>"
    )
    marks = boilerplate.Marks()
    boilerplate.mark_standfirst(tree, None, marks, headline=tree.find(".//h1"))
    assert marks.items == []


def test_a_lead_paragraph_under_the_headline_stays():
    lead = (
        "<p class='article-lead'>The council agreed on Monday to rewrite the rules that govern how member "
        "states borrow, ending months of talks.</p>"
    )
    html = page().replace("<h1>Council agrees reform</h1>", "<h1>Council agrees reform</h1>" + lead)
    record = extract_article(html, "https://news.example/lead", crawled_at="2023-02-04T10:00:00Z")
    assert "ending months of talks" in record["text"]
    assert "standfirst" not in record["boilerplate"]["removed"]


def test_a_lead_pictures_caption_is_not_restored_as_the_lead():
    figure = (
        "<figure class='lead-image'><img src='a.jpg'><figcaption class='caption'>The minister arrives for the "
        "talks in Brussels on Monday morning before the vote. (Jane Doe / Associated Press)</figcaption></figure>"
    )
    html = page(inside=figure)
    record = extract_article(html, "https://news.example/caption", crawled_at="2023-02-04T10:00:00Z")
    assert "Associated Press" not in record["text"]


def test_a_comment_section_is_never_the_story():
    # a short story and a long thread of readers' comments, all in one list, below it
    comments = (
        "<section id='comments'><h3>42 comments</h3><div class='comment-list'>"
        + "".join(
            f"<p>Reader {i} thinks the council should have rewritten the rules years ago, "
            "and says so at length in this comment under the story.</p>"
            for i in range(12)
        )
        + "</div></section>"
    )
    html = (
        "<html><body><main><article><h1>Council agrees reform</h1><div class='story'>"
        "<p>The council agreed on Monday to rewrite the rules that govern how member states borrow.</p>"
        "<p>Ministers said the change would take effect next year, after the parliament votes on it.</p>"
        f"</div></article>{comments}</main></body></html>"
    )
    scope = find_article_scope(load_html(html))
    assert "Ministers said the change" in visible_text(scope)
    assert "Reader 3" not in visible_text(scope)


def test_a_story_set_as_bare_text_between_line_breaks_is_found():
    story = "<br><br>".join(
        f"Line {i} of the story tells what the company announced and what it means for its customers." for i in range(6)
    )
    html = (
        "<html><body><div class='sidebar'><p>Short promo text.</p></div>"
        f"<div class='article'><h1>Company news</h1><div class='content'>{story}</div></div></body></html>"
    )
    scope = find_article_scope(load_html(html))
    assert "Line 3 of the story" in visible_text(scope)
    assert "Short promo text" not in visible_text(scope)


@pytest.mark.parametrize(
    "body",
    [
        "<div class='entry'>{}</div>",  # text between line breaks
        "{}",  # each paragraph a div of its own
    ],
    ids=["line-breaks", "div-paragraphs"],
)
def test_a_story_without_paragraph_elements_outranks_the_cards_of_other_stories(body):
    """The story's ``article`` holds no ``<p>``; the cards below it are ``article`` elements with a ``<p>``
    summary each. The story's divs are its paragraphs."""
    lines = [
        f"Line {i} of the story tells what the company announced on Monday and what it means for its customers."
        for i in range(5)
    ]
    story = body.format("<br><br>".join(lines) if "entry" in body else "".join(f"<div>{line}</div>" for line in lines))
    cards = "".join(
        f"<article class='card'><a href='/s/{i}'><h3>Other story {i}</h3></a><p>Summary {i} of another story, which"
        " says in two sentences what happened there and why it matters to the readers of this site. It runs to well"
        " over two hundred characters, as the summaries of current templates often do.</p></article>"
        for i in range(3)
    )
    html = f"<html><body><main><article><h1>Company news</h1>{story}</article><section>{cards}</section></main></body></html>"
    scope = find_article_scope(load_html(html))
    assert scope.tag == "article" and "Line 3 of the story" in visible_text(scope)
    assert "Summary" not in visible_text(scope)


def test_the_hidden_rest_of_a_story_beside_paragraphs_wrapped_in_divs_is_kept():
    shown = "".join(
        f"<div class='css-a1'><div class='css-b2'><p>Paragraph {i} of the story tells what the council decided and"
        " who voted for it, in order.</p></div></div>"
        for i in range(4)
    )
    rest = "".join(
        f"<div class='css-c3'><p>Hidden paragraph {i} goes on with what the minister told the committee about the"
        " budget and who voted.</p></div>"
        for i in range(2)
    )
    html = _story_page(f"{shown}<div class='article-rest' hidden>{rest}</div>")
    record = extract_article(html, "https://metered.example/budget", crawled_at="2023-02-04T10:00:00Z")
    assert all(f"Hidden paragraph {i}" in record["text"] for i in range(2))
    assert "hidden" not in record["boilerplate"]["removed"]


def test_author_lines_drop_a_kept_byline_and_a_closing_biography():
    text = "\n".join(
        [
            "Jane Doe",
            "The council agreed on Monday to cut the budget by a tenth.",
            "Jane Doe said in an interview that the cut was long expected.",
            "Officials will meet again in March.",
            "Jane Doe is a reporter covering the council for the Example Times.",
        ]
    )
    kept, dropped = boilerplate.author_lines(text, ["Jane Doe"])
    assert kept.split("\n") == [
        "The council agreed on Monday to cut the budget by a tenth.",
        "Jane Doe said in an interview that the cut was long expected.",  # a story sentence naming her
        "Officials will meet again in March.",
    ]
    assert dropped == {"byline": 1, "author_bio": 1}


def test_author_lines_drop_a_byline_with_the_outlet_at_the_top_but_not_a_sentence_naming_the_author():
    text = "\n".join(
        [
            "Jane Doe, Reuters",
            "The council agreed on Monday to cut the budget.",
            "The cut is a tenth of last year's spending.",
            "Jane Doe and John Roe",  # too far from either end to be taken for a byline
            "Jane Doe, a reporter, said it was late.",
            "Officials meet again in March.",
            "The vote is due in May.",
        ]
    )
    kept, dropped = boilerplate.author_lines(text, ["Jane Doe", "John Roe"])
    assert kept.split("\n") == text.split("\n")[1:]
    assert dropped == {"byline": 1}


@pytest.mark.parametrize(
    ("row", "dropped"),
    [
        ("Jane Doe · Mar 3, 2024 · 4 min read", True),
        ("Jane Doe • 5 min read", True),
        ("Jane Doe | 3 March 2024", True),
        ("Jane Doe · says the council was wrong", False),
    ],
)
def test_author_lines_drop_a_byline_row_with_the_date_and_reading_time(row, dropped):
    text = f"{row}\nThe council agreed on Monday to cut the budget.\nThe cut is a tenth of last year's spending."
    kept, _ = boilerplate.author_lines(text, ["Jane Doe"])
    assert (row not in kept) is dropped


@pytest.mark.parametrize(
    "bio",
    [
        "Peter Muster ist Journalist und Autor von Dokumentarfilmen.",
        "Anna Kowalska, doktor nauk humanistycznych, dziennikarka.",
        "Jan Roe writes about technology and has covered the industry since 2010.",
    ],
)
def test_author_lines_know_biographies_in_several_languages(bio):
    author = " ".join(bio.replace(",", "").split()[:2])
    text = "The story's only paragraph, long enough to be a story.\n" + bio
    assert boilerplate.author_lines(text, [author])[0] == "The story's only paragraph, long enough to be a story."


def test_author_lines_keep_a_biography_in_the_middle_and_single_names():
    middle = "Jane Doe is the mayor's adviser.\nShe said the plan would pass.\nIt did, in May.\nThe end came soon."
    assert boilerplate.author_lines(middle, ["Jane Doe"])[0] == middle
    single = "Staff\nThe story goes on.\nStaff is the word used here."
    assert boilerplate.author_lines(single, ["Staff"])[0] == single


@pytest.mark.parametrize(
    ("head", "inside", "authors"),
    [
        # a byline in the page's metadata, split into its names
        ("<meta name='author' content='Jane Doe and John Roe'>", "", ["Jane Doe", "John Roe"]),
        # one word in a <meta> is an account or the site's name; the story's own byline link names her
        ("<meta name='author' content='admin'>", "<a rel='author' href='/jane'>Jane Doe</a>", ["Jane Doe"]),
        ("<meta name='author' content='ExampleNews'>", "", []),
        # role accounts and the byline's own word are not names
        ("<meta name='author' content='Publisher'>", "", []),
        ("", "<a rel='author' href='/by'>Por Alberto Ávila</a>", ["Alberto Ávila"]),
        ("", "<a rel='author' href='/a'>Redaktion</a>", []),
        # the writer's role after the name is no second author
        ("", "<p class='byline'>By Jane Doe, Staff Writer</p>", ["Jane Doe"]),
        (
            "<meta name='author' content='Jane Doe, Senior Political Correspondent; John Roe'>",
            "",
            ["Jane Doe", "John Roe"],
        ),
        # a byline that only links the name to the writer's page, before the body
        ("", "<div class='post-meta'><a href='/profile/jdoe'>Jane Doe</a> · Mar 3</div>", ["Jane Doe"]),
        ("", "<div><a href='https://news.example/@janedoe'>Jane Doe</a></div>", ["Jane Doe"]),
        # a page about the person the story covers is no byline
        ("", "<div class='topics'><a href='/people/john-roe'>John Roe</a></div>", []),
        # the story's credits block, which goes from the text with the picture credits, names the writer
        (
            "",
            "<section class='c-article__credits'><div>Text: <span class='c-article-card__author'>Jane Doe</span>"
            "</div></section>",
            ["Jane Doe"],
        ),
        # a sentence where the name goes
        (
            "<meta name='author' content='Seleccione el creador del artículo en la configuración del módulo'>",
            "",
            [],
        ),
    ],
)
def test_authors_are_people_named_by_the_page(head, inside, authors):
    html = page(head=head, inside=inside)
    record = extract_article(html, "https://news.example/a", crawled_at="2023-02-04T10:00:00Z")
    assert record["authors"] == authors
    assert "Text: Jane Doe" not in record["text"]


_PARAGRAPHS = [
    f"<p>The committee met on Monday to hear the minister explain rule {n} of the new budget, which changes how"
    f" towns pay for roads, schools and buses over the next ten years.</p>"
    for n in ("one", "two", "three", "four")
]
_BODY = "".join(_PARAGRAPHS)


@pytest.mark.parametrize(
    ("block", "kind"),
    [
        (
            "<div class='image-wrap'><p class='img-desc'>The minister arrives at the committee room in Brussels</p></div>",
            "caption",
        ),
        ("<span class='media-credit'>Jane Roe for The Example Times</span>", "caption"),
        ("<p class='legende'>Le ministre arrive au Parlement lundi matin</p>", "caption"),
        (
            "<div class='contributor-bio'><p>Jane Doe has covered the budget for ten years and lives in Brussels.</p></div>",
            "author_bio",
        ),
        ("<p class='bio'>Jane Doe has covered the budget for ten years and lives in Brussels.</p>", "author_bio"),
        (
            "<figure class='wp-block-pullquote'><blockquote><p>the minister explain rule two of the new budget, which"
            " changes how towns pay</p></blockquote></figure>",
            "pullquote",
        ),
    ],
    ids=["image-desc", "media-credit", "legende", "contributor-bio", "bio", "pull-quote"],
)
def test_a_block_whose_class_says_it_is_beside_the_story_goes(block, kind):
    html = _story_page("".join([*_PARAGRAPHS[:2], block, *_PARAGRAPHS[2:]]))
    record = extract_article(html, "https://classes.example/budget", crawled_at="2023-02-04T10:00:00Z")
    inner = " ".join(lxml.html.fromstring(block).text_content().split())
    # a pull quote's words stay once, where the story says them
    assert record["text"].count(inner) == (1 if kind == "pullquote" else 0)
    assert record["text"].count("The committee met on Monday") == 4
    assert record["boilerplate"]["removed"][kind] == 1


def test_a_quote_box_with_words_of_its_own_is_not_a_pull_quote_and_stays():
    box = "<div class='pull-quote'><p>Nobody in this town has ever paid for a road twice, and we never will.</p></div>"
    html = _story_page(_BODY + box + _BODY)
    record = extract_article(html, "https://classes.example/quote", crawled_at="2023-02-04T10:00:00Z")
    assert "Nobody in this town has ever paid for a road twice" in record["text"]


def test_a_story_body_named_like_a_credit_is_never_taken_for_one():
    # a block of the story's size is the story, whatever its class says
    html = _story_page(f"<div class='article-description'>{_BODY}</div>")
    record = extract_article(html, "https://classes.example/body", crawled_at="2023-02-04T10:00:00Z")
    assert record["text"].count("The committee met on Monday") == 4
